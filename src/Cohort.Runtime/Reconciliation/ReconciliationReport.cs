namespace Cohort.Runtime.Reconciliation;

/// <summary>What one reconciliation found. Empty <see cref="Mismatches"/> means the books agree.</summary>
/// <param name="Events">Account events it summed.</param>
/// <param name="Accounts">Accounts it compared.</param>
/// <param name="Assets">Each asset's totals; none for <see cref="ReconciliationScope.NewEvents"/>.</param>
public sealed record ReconciliationReport(
    DateTime CheckedAt, ReconciliationScope Scope, long Events, long Accounts, IReadOnlyList<AssetTotal> Assets, IReadOnlyList<Mismatch> Mismatches,
    long StuckTransfers)
{
    public bool Consistent => Mismatches.Count == 0;
}

/// <param name="Balances">Available plus frozen over all accounts, from the read model.</param>
/// <param name="InFlight">Debited by transfers that have not yet been credited or refunded.</param>
/// <param name="Expected">Deposits minus withdrawals minus settlements, from the journal.</param>
public sealed record AssetTotal(string Asset, decimal Balances, decimal InFlight, decimal Expected);

/// <param name="Kind">journal_vs_read_model, ledger_vs_read_model, asset_total, stuck_transfer.</param>
public sealed record Mismatch(string Kind, string Subject, string Detail);
