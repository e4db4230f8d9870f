namespace Cohort.Runtime.Partitions;

/// <summary>What this node owns right now, for health checks and the admin API.</summary>
public interface IPartitionView
{
    IReadOnlyList<OwnedPartition> Owned { get; }

    bool IsRecovering { get; }
}
