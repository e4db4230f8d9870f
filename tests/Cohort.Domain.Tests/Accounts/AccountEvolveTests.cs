using Cohort.Domain.Accounts;

namespace Cohort.Domain.Tests.Accounts;

public class AccountEvolveTests
{
    private const string Usdt = "USDT";
    private const decimal Unit = 0.000000000000000001m;

    private static AccountState StateWith(decimal available, decimal frozen) =>
        AccountState.Empty("acc-1").With(Usdt, new AssetBalance(available, frozen));

    public static TheoryData<AccountEvent, decimal, decimal> EventsAndResultingBalances => new()
    {
        { new Deposited(Usdt, 2.5m), 12.5m, 5m },
        { new Withdrawn(Usdt, 2.5m), 7.5m, 5m },
        { new Frozen(Usdt, 2.5m), 7.5m, 7.5m },
        { new Unfrozen(Usdt, 2.5m), 12.5m, 2.5m },
        { new Settled(Usdt, 2.5m), 10m, 2.5m },
        { new Withdrawn(Usdt, 10m), 0m, 5m },
        { new Frozen(Usdt, 10m), 0m, 15m },
        { new Unfrozen(Usdt, 5m), 15m, 0m },
        { new Settled(Usdt, 5m), 10m, 0m },
    };

    [Theory]
    [MemberData(nameof(EventsAndResultingBalances))]
    public void Applies_each_event_to_the_balance_of_its_asset(AccountEvent @event, decimal available, decimal frozen)
    {
        var state = StateWith(available: 10m, frozen: 5m);

        var next = Account.Evolve(state, @event);

        Assert.Equal(new AssetBalance(available, frozen), next.BalanceOf(Usdt));
        Assert.Equal("acc-1", next.AccountId);
        Assert.Equal(new AssetBalance(10m, 5m), state.BalanceOf(Usdt)); // the input state is not modified
    }

    [Fact]
    public void A_new_asset_appears_on_its_first_deposit()
    {
        var state = StateWith(available: 10m, frozen: 5m);
        Assert.False(state.Balances.ContainsKey("BTC"));
        Assert.Equal(AssetBalance.Zero, state.BalanceOf("BTC"));

        var next = Account.Evolve(state, new Deposited("BTC", 0.5m));

        Assert.Equal(new AssetBalance(0.5m, 0m), next.Balances["BTC"]);
        Assert.Equal(new AssetBalance(10m, 5m), next.BalanceOf(Usdt));
        Assert.Equal(2, next.Balances.Count);
    }

    [Fact]
    public void Balances_are_kept_in_ordinal_order_of_asset()
    {
        var state = new AccountEvent[] { new Deposited("USDT", 1m), new Deposited("BTC", 1m), new Deposited("EUR", 1m) }
            .Aggregate(AccountState.Empty("acc-1"), Account.Evolve);

        Assert.Equal(["BTC", "EUR", "USDT"], state.Balances.Keys);
    }

    [Fact]
    public void Arithmetic_is_exact_to_the_smallest_unit()
    {
        var state = Enumerable.Repeat<AccountEvent>(new Deposited(Usdt, 0.1m), 10)
            .Append(new Frozen(Usdt, Unit))
            .Aggregate(AccountState.Empty("acc-1"), Account.Evolve);

        Assert.Equal(new AssetBalance(1m - Unit, Unit), state.BalanceOf(Usdt));
        Assert.Equal(1m, state.BalanceOf(Usdt).Available + state.BalanceOf(Usdt).Frozen);
    }

    public static TheoryData<AccountEvent> EventsThatBreakAnInvariant => new()
    {
        new Withdrawn(Usdt, 10m + Unit),
        new Frozen(Usdt, 10m + Unit),
        new Unfrozen(Usdt, 5m + Unit),
        new Settled(Usdt, 5m + Unit),
        new Withdrawn("BTC", Unit), // an asset the account has never held
        new Settled("BTC", Unit),
        new Deposited(Usdt, Amount.MaxBalance - 15m + Unit),
    };

    [Theory]
    [MemberData(nameof(EventsThatBreakAnInvariant))]
    public void Throws_on_an_event_that_would_leave_a_balance_negative_or_above_the_max(AccountEvent @event)
    {
        var state = StateWith(available: 10m, frozen: 5m);

        var ex = Assert.Throws<InvariantViolationException>(() => Account.Evolve(state, @event));

        Assert.Contains("acc-1", ex.Message);
        Assert.Contains(@event.Asset, ex.Message);
    }

    [Fact]
    public void Reaching_exactly_zero_or_exactly_the_max_is_not_a_violation()
    {
        var atMax = Account.Evolve(StateWith(available: 10m, frozen: 5m), new Deposited(Usdt, Amount.MaxBalance - 15m));
        Assert.Equal(Amount.MaxBalance, atMax.BalanceOf(Usdt).Available + atMax.BalanceOf(Usdt).Frozen);

        var atZero = new AccountEvent[] { new Withdrawn(Usdt, 10m), new Settled(Usdt, 5m) }
            .Aggregate(StateWith(available: 10m, frozen: 5m), Account.Evolve);
        Assert.Equal(AssetBalance.Zero, atZero.BalanceOf(Usdt));
    }
}
