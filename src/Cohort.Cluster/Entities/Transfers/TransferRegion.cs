namespace Cohort.Cluster.Entities.Transfers;

/// <summary>The transfer shard region, as the actor registry knows it.</summary>
public sealed class TransferRegion
{
    public const string TypeName = "transfer";
}
