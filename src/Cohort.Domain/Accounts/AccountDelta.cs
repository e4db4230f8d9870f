namespace Cohort.Domain.Accounts;

/// <summary>What an event does to its asset's balances: the ledger entry's deltas and its kind.</summary>
public readonly record struct AccountDelta(string Kind, decimal Available, decimal Frozen)
{
    public static AccountDelta Of(AccountEvent e) => e switch
    {
        Deposited => new("deposit", e.Amount, 0m),
        Withdrawn => new("withdraw", -e.Amount, 0m),
        Accounts.Frozen => new("freeze", -e.Amount, e.Amount),
        Unfrozen => new("unfreeze", e.Amount, -e.Amount),
        Settled => new("settle", 0m, -e.Amount),
        TransferDebited => new("transfer_out", -e.Amount, 0m),
        TransferCredited => new("transfer_in", e.Amount, 0m),
        TransferRefunded => new("transfer_refund", e.Amount, 0m),
        _ => throw new ArgumentOutOfRangeException(nameof(e), e, "unknown account event"),
    };
}
