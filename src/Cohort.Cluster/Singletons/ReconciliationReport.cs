using Cohort.Cluster.Persistence;

namespace Cohort.Cluster.Singletons;

public enum ReconciliationScope
{
    /// <summary>
    /// Asset totals, contradictory transfer legs, stuck transfers, stuck and failed orders: reads no journal and no
    /// account's row.
    /// </summary>
    Totals,

    /// <summary>
    /// Also negative balances, the whole journal against the balances, every transfer's legs against its status, and
    /// from the journal each product's sold units against its paid orders and each order's funds against its status.
    /// </summary>
    Full,
}

/// <summary>Asks the reconciliation singleton for a run; answered with its <see cref="ReconciliationReport"/>.</summary>
public sealed record Reconcile(ReconciliationScope Scope) : ICohortMessage;

/// <summary>What one reconciliation found. No <see cref="Mismatches"/> means the books agree.</summary>
/// <param name="Offset">The journal ordering the reporting tables had reached: what was compared.</param>
/// <param name="Records">Account records of the journal a full run summed.</param>
/// <param name="Accounts">Accounts in the balances (counted by full runs only).</param>
public sealed record ReconciliationReport(
    DateTime CheckedAt, ReconciliationScope Scope, long Offset, long Records, long Accounts, IReadOnlyList<AssetTotal> Assets,
    IReadOnlyList<Mismatch> Mismatches, long StuckTransfers) : ICohortMessage
{
    public bool Consistent => Mismatches.Count == 0;
}

/// <param name="Balances">Available plus frozen over all accounts.</param>
/// <param name="InFlight">Debited by transfers and not yet credited or refunded.</param>
/// <param name="Expected">Deposits minus withdrawals minus settlements.</param>
public sealed record AssetTotal(string Asset, decimal Balances, decimal InFlight, decimal Expected);

/// <param name="Kind">
/// asset_total, negative_balance, contradictory_legs, stuck_transfer, journal_vs_balances, held_vs_balances,
/// transfer_legs, stuck_order, failed_order, sold_mismatch, order_funds_mismatch.
/// </param>
public sealed record Mismatch(string Kind, string Subject, string Detail);
