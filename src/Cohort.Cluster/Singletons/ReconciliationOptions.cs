namespace Cohort.Cluster.Singletons;

/// <summary>Settings of the reconciliation singleton (section <c>Cohort:Reconciliation</c>).</summary>
public sealed class ReconciliationOptions
{
    public const string Section = "Cohort:Reconciliation";

    /// <summary>How often the cheap checks run: asset totals, contradictory transfer legs, stuck transfers.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often the whole journal is summed again and compared with the balances, and every transfer's legs with its
    /// status. It also runs when the singleton starts, and on <c>POST /admin/reconcile</c>.
    /// </summary>
    public TimeSpan FullInterval { get; set; } = TimeSpan.FromHours(24);

    /// <summary>A transfer not final after this long is reported as stuck.</summary>
    public TimeSpan StuckTransferAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a full run waits for the reporting projection to reach the journal's end before it compares.</summary>
    public TimeSpan CatchUpTimeout { get; set; } = TimeSpan.FromSeconds(20);
}
