using Akka.Cluster.Sharding;

namespace Cohort.Cluster.Entities;

/// <summary>
/// Routes an <see cref="IShardedMessage"/> to its entity, and the entity to one of a fixed number of shards by a
/// hash of its id (Akka's MurmurHash, the same in every process).
/// </summary>
public sealed class EntityExtractor(int shardCount) : HashCodeMessageExtractor(shardCount)
{
    public override string? EntityId(object message) => (message as IShardedMessage)?.EntityId;

    /// <summary>The shard an entity id lives in.</summary>
    public string ShardOf(string entityId) => ShardId(entityId, null);
}
