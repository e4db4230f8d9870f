namespace Cohort.Cluster.Singletons;

/// <summary>Settings of the reconciliation singleton (section <c>Cohort:Reconciliation</c>).</summary>
public sealed class ReconciliationOptions
{
    public const string Section = "Cohort:Reconciliation";

    /// <summary>How often the cheap checks run: asset totals, contradictory transfer legs, stuck transfers, stuck and failed orders.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often the whole journal is summed again and compared with the balances, every transfer's legs with its
    /// status, each product's sold units with its paid orders, and each order's funds with its status. It also runs when the singleton starts, and on <c>POST /admin/reconcile</c>.
    /// </summary>
    public TimeSpan FullInterval { get; set; } = TimeSpan.FromHours(24);

    /// <summary>A transfer not final after this long is reported as stuck.</summary>
    public TimeSpan StuckTransferAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// An order not final this long after its payment deadline is reported stuck: by then the order keeper should
    /// have woken it and it should have expired, or finished its payment, by itself.
    /// </summary>
    public TimeSpan OrderMargin { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a full run waits for the reporting projection to reach the journal's end before it compares.</summary>
    public TimeSpan CatchUpTimeout { get; set; } = TimeSpan.FromSeconds(20);
}
