namespace Cohort.Runtime.Partitions;

/// <summary>What this node owns right now, for health checks and the admin API.</summary>
public interface IPartitionView
{
    IReadOnlyList<OwnedPartition> Owned { get; }

    bool IsRecovering { get; }

    /// <summary>Whether the consumer group has given this node its first assignment (possibly empty).</summary>
    bool HasJoined { get; }
}
