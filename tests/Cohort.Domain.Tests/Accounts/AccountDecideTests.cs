using Cohort.Domain.Accounts;

namespace Cohort.Domain.Tests.Accounts;

public class AccountDecideTests
{
    private const string Usdt = "USDT";
    private const decimal Unit = 0.000000000000000001m;

    private static readonly string[] AllKinds =
        [nameof(Deposit), nameof(Withdraw), nameof(Freeze), nameof(Unfreeze), nameof(Settle)];

    private static AccountCommand Command(string kind, string asset, decimal amount) => kind switch
    {
        nameof(Deposit) => new Deposit(asset, amount),
        nameof(Withdraw) => new Withdraw(asset, amount),
        nameof(Freeze) => new Freeze(asset, amount),
        nameof(Unfreeze) => new Unfreeze(asset, amount),
        nameof(Settle) => new Settle(asset, amount),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static AccountState StateWith(decimal available, decimal frozen) =>
        AccountState.Empty("acc-1").With(Usdt, new AssetBalance(available, frozen));

    private static AccountEvent AssertAccepted(AccountState state, AccountCommand command)
    {
        var before = state.BalanceOf(command.Asset);
        var decision = Account.Decide(state, command);

        Assert.False(decision.IsRejected, decision.Rejection?.Message);
        Assert.Null(decision.Rejection);
        Assert.Equal(before, state.BalanceOf(command.Asset));
        return Assert.Single(decision.Events);
    }

    private static Rejection AssertRejected(AccountState state, AccountCommand command, string expectedCode)
    {
        var decision = Account.Decide(state, command);

        Assert.True(decision.IsRejected);
        Assert.NotNull(decision.Rejection);
        Assert.Equal(expectedCode, decision.Rejection.Code);
        Assert.False(string.IsNullOrWhiteSpace(decision.Rejection.Message));
        Assert.Empty(decision.Events);
        // A rejection is an answer, not an event: replaying what Decide returned leaves the state as it was.
        Assert.Equal(state, decision.Events.Aggregate(state, Account.Evolve));
        return decision.Rejection;
    }

    // ---- accepted ----

    public static TheoryData<AccountCommand, AccountEvent> AcceptedCommands => new()
    {
        { new Deposit(Usdt, 10.50m), new Deposited(Usdt, 10.50m) },
        { new Deposit("BTC", Unit), new Deposited("BTC", Unit) },
        { new Withdraw(Usdt, 4m), new Withdrawn(Usdt, 4m) },
        { new Withdraw(Usdt, 10m), new Withdrawn(Usdt, 10m) },
        { new Freeze(Usdt, 0.25m), new Frozen(Usdt, 0.25m) },
        { new Freeze(Usdt, 10m), new Frozen(Usdt, 10m) },
        { new Unfreeze(Usdt, 1m), new Unfrozen(Usdt, 1m) },
        { new Unfreeze(Usdt, 5m), new Unfrozen(Usdt, 5m) },
        { new Settle(Usdt, Unit), new Settled(Usdt, Unit) },
        { new Settle(Usdt, 5m), new Settled(Usdt, 5m) },
    };

    [Theory]
    [MemberData(nameof(AcceptedCommands))]
    public void Accepts_a_valid_command_with_exactly_one_matching_event(AccountCommand command, AccountEvent expected)
    {
        var state = StateWith(available: 10m, frozen: 5m);

        var @event = AssertAccepted(state, command);

        Assert.Equal(expected, @event);
        Assert.Equal(expected.GetType(), @event.GetType());
    }

    [Fact]
    public void Accepts_the_first_deposit_of_an_asset_the_account_has_never_held()
    {
        var @event = AssertAccepted(AccountState.Empty("acc-1"), new Deposit("EUR", 3m));

        Assert.Equal(new Deposited("EUR", 3m), @event);
    }

    [Fact]
    public void Keeps_the_scale_of_the_amount_in_the_event()
    {
        var @event = AssertAccepted(StateWith(0m, 0m), new Deposit(Usdt, 10.50m));

        Assert.Equal(2, @event.Amount.Scale);
        Assert.Equal("10.50", Amount.Format(@event.Amount));
    }

    // ---- validation ----

    [Theory]
    [InlineData("")]
    [InlineData("usdt")]
    [InlineData("Usdt")]
    [InlineData("ABCDEFGHIJKLMNOPQ")] // 17 characters
    [InlineData("US-DT")]
    [InlineData("US DT")]
    [InlineData(" USDT")]
    [InlineData("USD$")]
    [InlineData("US/DT")]
    [InlineData("É")]
    public void Rejects_every_command_with_an_invalid_asset(string asset)
    {
        var state = StateWith(available: 100m, frozen: 100m);

        foreach (var kind in AllKinds)
        {
            AssertRejected(state, Command(kind, asset, 1m), RejectionCodes.ValidationFailed);
        }
    }

    public static TheoryData<decimal> NonPositiveAmounts => new()
    {
        0m,
        new decimal(0, 0, 0, isNegative: true, scale: 2), // -0.00
        -Unit,
        -1m,
        decimal.MinValue,
    };

    [Theory]
    [MemberData(nameof(NonPositiveAmounts))]
    public void Rejects_every_command_with_a_non_positive_amount(decimal amount)
    {
        var state = StateWith(available: 100m, frozen: 100m);

        foreach (var kind in AllKinds)
        {
            AssertRejected(state, Command(kind, Usdt, amount), RejectionCodes.ValidationFailed);
        }
    }

    public static TheoryData<decimal> AmountsWithMoreThan18FractionalDigits => new()
    {
        new decimal(1, 0, 0, isNegative: false, scale: 19), // 0.0000000000000000001
        new decimal(10, 0, 0, isNegative: false, scale: 19), // 1.0000000000000000000: the value is fine, the scale is not
        0.0000000000000000000000000001m,
    };

    [Theory]
    [MemberData(nameof(AmountsWithMoreThan18FractionalDigits))]
    public void Rejects_every_command_with_an_amount_of_scale_above_18(decimal amount)
    {
        Assert.True(amount.Scale > Amount.MaxFractionalDigits);
        var state = StateWith(available: 100m, frozen: 100m);

        foreach (var kind in AllKinds)
        {
            AssertRejected(state, Command(kind, Usdt, amount), RejectionCodes.ValidationFailed);
        }
    }

    // ---- insufficient_funds ----

    [Theory]
    [InlineData(nameof(Withdraw))]
    [InlineData(nameof(Freeze))]
    public void Rejects_taking_more_than_available_but_accepts_exactly_available(string kind)
    {
        var state = StateWith(available: 10m, frozen: 5m);

        var rejection = AssertRejected(state, Command(kind, Usdt, 10m + Unit), RejectionCodes.InsufficientFunds);
        Assert.Contains("10.000000000000000001", rejection.Message);

        AssertAccepted(state, Command(kind, Usdt, 10m));
    }

    [Theory]
    [InlineData(nameof(Withdraw))]
    [InlineData(nameof(Freeze))]
    public void Frozen_funds_are_not_available(string kind)
    {
        AssertRejected(StateWith(available: 5m, frozen: 100m), Command(kind, Usdt, 6m), RejectionCodes.InsufficientFunds);
    }

    [Theory]
    [InlineData(nameof(Withdraw))]
    [InlineData(nameof(Freeze))]
    public void Rejects_taking_an_asset_the_account_has_never_held(string kind)
    {
        AssertRejected(AccountState.Empty("acc-1"), Command(kind, Usdt, Unit), RejectionCodes.InsufficientFunds);
    }

    // ---- insufficient_frozen ----

    [Theory]
    [InlineData(nameof(Unfreeze))]
    [InlineData(nameof(Settle))]
    public void Rejects_releasing_more_than_frozen_but_accepts_exactly_frozen(string kind)
    {
        var state = StateWith(available: 100m, frozen: 5m);

        AssertRejected(state, Command(kind, Usdt, 5m + Unit), RejectionCodes.InsufficientFrozen);
        AssertAccepted(state, Command(kind, Usdt, 5m));
    }

    [Theory]
    [InlineData(nameof(Unfreeze))]
    [InlineData(nameof(Settle))]
    public void Rejects_releasing_when_nothing_is_frozen(string kind)
    {
        AssertRejected(StateWith(available: 100m, frozen: 0m), Command(kind, Usdt, 1m), RejectionCodes.InsufficientFrozen);
        AssertRejected(AccountState.Empty("acc-1"), Command(kind, Usdt, 1m), RejectionCodes.InsufficientFrozen);
    }

    // ---- balance_limit_exceeded ----

    [Fact]
    public void Accepts_a_deposit_that_exactly_reaches_the_max_balance()
    {
        var state = StateWith(available: 1m, frozen: 2m);

        var @event = AssertAccepted(state, new Deposit(Usdt, Amount.MaxBalance - 3m));

        var after = Account.Evolve(state, @event).BalanceOf(Usdt);
        Assert.Equal(Amount.MaxBalance, after.Available + after.Frozen);
    }

    [Fact]
    public void Rejects_a_deposit_that_would_exceed_the_max_balance_by_the_smallest_unit()
    {
        AssertRejected(StateWith(available: 1m, frozen: 2m), new Deposit(Usdt, Amount.MaxBalance - 3m + Unit),
            RejectionCodes.BalanceLimitExceeded);
    }

    [Fact]
    public void Frozen_funds_count_towards_the_max_balance()
    {
        AssertRejected(StateWith(available: 0m, frozen: Amount.MaxBalance), new Deposit(Usdt, Unit),
            RejectionCodes.BalanceLimitExceeded);
    }

    [Fact]
    public void Applies_the_max_balance_to_a_first_deposit()
    {
        var empty = AccountState.Empty("acc-1");

        AssertAccepted(empty, new Deposit(Usdt, Amount.MaxBalance));
        AssertRejected(empty, new Deposit(Usdt, Amount.MaxBalance + Unit), RejectionCodes.BalanceLimitExceeded);
    }

    [Fact]
    public void Rejects_a_huge_deposit_without_overflowing()
    {
        AssertRejected(StateWith(available: Amount.MaxBalance, frozen: 0m), new Deposit(Usdt, decimal.MaxValue),
            RejectionCodes.BalanceLimitExceeded);
    }

    [Fact]
    public void The_max_balance_of_one_asset_does_not_limit_another()
    {
        var state = StateWith(available: Amount.MaxBalance, frozen: 0m);

        AssertAccepted(state, new Deposit("BTC", Amount.MaxBalance));
    }
}
