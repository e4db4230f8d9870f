namespace Cohort.Cluster.Entities;

/// <summary>A message for one entity: the shard region routes it by <see cref="EntityId"/>.</summary>
public interface IShardedMessage
{
    string EntityId { get; }
}
