namespace Cohort.Runtime.Reconciliation;

/// <summary>Settings of the reconciliation singleton (section <c>Cohort:Reconciliation</c>).</summary>
public sealed class ReconciliationOptions
{
    public const string Section = "Cohort:Reconciliation";

    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A transfer not final after this long is reported as stuck.</summary>
    public TimeSpan StuckTransferAfter { get; set; } = TimeSpan.FromMinutes(5);
}
