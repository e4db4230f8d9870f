namespace Cohort.Domain.Accounts;

/// <summary>
/// The account entity's behaviour. Decide checks a command against the state and answers with events or a
/// rejection; Evolve applies an event. No balance can go below zero or above <see cref="Amount.MaxBalance"/>:
/// Decide refuses every command that would, and Evolve asserts it, so a broken event can never be applied.
/// </summary>
public static class Account
{
    public static Decision<AccountEvent> Decide(AccountState state, AccountCommand command)
    {
        if (!AssetCode.IsValid(command.Asset))
        {
            return Decision<AccountEvent>.Reject(RejectionCodes.ValidationFailed,
                $"asset '{command.Asset}' must be 1-{AssetCode.MaxLength} characters of A-Z and 0-9");
        }
        if (command.Amount <= 0m || command.Amount.Scale > Amount.MaxFractionalDigits)
        {
            return Decision<AccountEvent>.Reject(RejectionCodes.ValidationFailed,
                $"amount must be positive with at most {Amount.MaxFractionalDigits} fractional digits");
        }
        var balance = state.BalanceOf(command.Asset);
        return command switch
        {
            Deposit or TransferCredit or TransferRefund when balance.Available + balance.Frozen > Amount.MaxBalance - command.Amount =>
                Decision<AccountEvent>.Reject(RejectionCodes.BalanceLimitExceeded,
                    $"a balance of {command.Asset} may not exceed {Amount.Format(Amount.MaxBalance)}"),
            Deposit c => Decision<AccountEvent>.Accept(new Deposited(c.Asset, c.Amount)),
            TransferCredit c => Decision<AccountEvent>.Accept(new TransferCredited(c.Asset, c.Amount, c.TransferId, c.Counterparty)),
            TransferRefund c => Decision<AccountEvent>.Accept(new TransferRefunded(c.Asset, c.Amount, c.TransferId, c.Counterparty)),
            Withdraw or TransferDebit when balance.Available < command.Amount => InsufficientFunds(command, balance),
            Withdraw c => Decision<AccountEvent>.Accept(new Withdrawn(c.Asset, c.Amount)),
            TransferDebit c => Decision<AccountEvent>.Accept(new TransferDebited(c.Asset, c.Amount, c.TransferId, c.Counterparty)),
            Freeze c when balance.Available < c.Amount => InsufficientFunds(c, balance),
            Freeze c => Decision<AccountEvent>.Accept(new Frozen(c.Asset, c.Amount)),
            Unfreeze c when balance.Frozen < c.Amount => InsufficientFrozen(c, balance),
            Unfreeze c => Decision<AccountEvent>.Accept(new Unfrozen(c.Asset, c.Amount)),
            Settle c when balance.Frozen < c.Amount => InsufficientFrozen(c, balance),
            Settle c => Decision<AccountEvent>.Accept(new Settled(c.Asset, c.Amount)),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command, "unknown account command"),
        };
    }

    public static AccountState Evolve(AccountState state, AccountEvent @event)
    {
        if (@event.Amount <= 0m || !AssetCode.IsValid(@event.Asset))
        {
            throw new InvariantViolationException($"account {state.AccountId}: malformed event {@event}");
        }
        var b = state.BalanceOf(@event.Asset);
        var delta = AccountDelta.Of(@event);
        var next = new AssetBalance(b.Available + delta.Available, b.Frozen + delta.Frozen);
        if (next.Available < 0m || next.Frozen < 0m || next.Available + next.Frozen > Amount.MaxBalance)
        {
            throw new InvariantViolationException(
                $"account {state.AccountId} {@event.Asset}: {@event} would leave available {next.Available}, frozen {next.Frozen}");
        }
        return state.With(@event.Asset, next);
    }

    private static Decision<AccountEvent> InsufficientFunds(AccountCommand c, AssetBalance b) =>
        Decision<AccountEvent>.Reject(RejectionCodes.InsufficientFunds,
            $"available {c.Asset} is {Amount.Format(b.Available)}, {Amount.Format(c.Amount)} requested");

    private static Decision<AccountEvent> InsufficientFrozen(AccountCommand c, AssetBalance b) =>
        Decision<AccountEvent>.Reject(RejectionCodes.InsufficientFrozen,
            $"frozen {c.Asset} is {Amount.Format(b.Frozen)}, {Amount.Format(c.Amount)} requested");
}
