using Cohort.Domain.Accounts;

namespace Cohort.Domain.Tests.Accounts;

public class AccountTransferLegTests
{
    private static readonly AccountState Funded = Account.Evolve(AccountState.Empty("alice"), new Deposited("USDT", 10m));

    [Fact]
    public void A_debit_takes_from_available_and_is_recorded_as_transfer_out()
    {
        var decision = Account.Decide(Funded, new TransferDebit("USDT", 4m, "t-1", "bob"));
        var after = decision.Events.Aggregate(Funded, Account.Evolve);

        var debited = Assert.IsType<TransferDebited>(Assert.Single(decision.Events));
        Assert.Equal(("t-1", "bob"), (debited.TransferId, debited.Counterparty));
        Assert.Equal(6m, after.BalanceOf("USDT").Available);
        Assert.Equal(new AccountDelta("transfer_out", -4m, 0m), AccountDelta.Of(debited));
    }

    [Fact]
    public void A_debit_beyond_available_is_insufficient_funds()
    {
        var decision = Account.Decide(Funded, new TransferDebit("USDT", 10.000000000000000001m, "t-1", "bob"));

        Assert.Equal(RejectionCodes.InsufficientFunds, decision.Rejection?.Code);
    }

    [Fact]
    public void Credits_and_refunds_add_to_available_up_to_the_balance_limit()
    {
        var credited = Account.Decide(Funded, new TransferCredit("USDT", 1m, "t-1", "bob")).Events.Aggregate(Funded, Account.Evolve);
        var refunded = Account.Decide(credited, new TransferRefund("USDT", 2m, "t-2", "bob")).Events.Aggregate(credited, Account.Evolve);
        var full = Account.Evolve(AccountState.Empty("carol"), new Deposited("USDT", Amount.MaxBalance));

        Assert.Equal(13m, refunded.BalanceOf("USDT").Available);
        Assert.Equal(RejectionCodes.BalanceLimitExceeded, Account.Decide(full, new TransferCredit("USDT", 0.000000000000000001m, "t", "x")).Rejection?.Code);
        Assert.Equal(RejectionCodes.BalanceLimitExceeded, Account.Decide(full, new TransferRefund("USDT", 1m, "t", "x")).Rejection?.Code);
    }
}
