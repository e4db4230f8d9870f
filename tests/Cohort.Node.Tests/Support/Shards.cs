using Cohort.Cluster.Entities;

namespace Cohort.Node.Tests.Support;

/// <summary>Which shard an entity lives in, computed as the nodes compute it (the default shard count).</summary>
internal static class Shards
{
    private static readonly EntityExtractor Extractor = new(new EntityOptions().ShardCount);

    public static string Of(string entityId) => Extractor.ShardOf(entityId);
}
