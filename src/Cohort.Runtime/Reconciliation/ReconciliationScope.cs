namespace Cohort.Runtime.Reconciliation;

/// <summary>How much a reconciliation run reads and compares. Each also sums the account events new since the last run.</summary>
public enum ReconciliationScope
{
    /// <summary>Compares the accounts that the new events touched: work in proportion to what was written.</summary>
    NewEvents,

    /// <summary>
    /// Compares every account with its running totals, each asset's total, and looks for stuck transfers: also
    /// catches a balance changed behind the journal's back.
    /// </summary>
    AllAccounts,

    /// <summary>Sums the whole journal again first: also catches history changed after it was summed.</summary>
    Full,
}
