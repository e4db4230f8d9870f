namespace Cohort.Runtime.Reconciliation;

/// <summary>Settings of the reconciliation singleton (section <c>Cohort:Reconciliation</c>).</summary>
public sealed class ReconciliationOptions
{
    public const string Section = "Cohort:Reconciliation";

    /// <summary>How often the singleton sums the account events written since its last run and compares the accounts they touched.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a run also compares every account and each asset's total, and looks for stuck transfers.</summary>
    public TimeSpan AllAccountsInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often a run sums the whole journal again, which also catches history changed after it was summed. The
    /// singleton's first run is one.
    /// </summary>
    public TimeSpan FullInterval { get; set; } = TimeSpan.FromHours(24);

    /// <summary>A transfer not final after this long is reported as stuck.</summary>
    public TimeSpan StuckTransferAfter { get; set; } = TimeSpan.FromMinutes(5);
}
