namespace Cohort.Cluster.Entities.Transfers;

/// <summary>Settings of the transfer process (section <c>Cohort:Transfers</c>).</summary>
public sealed class TransferOptions
{
    public const string Section = "Cohort:Transfers";

    /// <summary>
    /// How long a transfer waits for an account's answer to a step before it sends the step again (same request id,
    /// so applied once): sharding delivers at most once, and an account may be moving to another node.
    /// </summary>
    public TimeSpan StepRetry { get; set; } = TimeSpan.FromSeconds(2);
}
