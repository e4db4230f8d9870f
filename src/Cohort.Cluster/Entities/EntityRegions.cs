using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Cohort.Cluster.Hosting;

namespace Cohort.Cluster.Entities;

/// <summary>The shard settings every entity type shares.</summary>
public static class EntityRegions
{
    public static ShardOptions Options(EntityOptions entities, bool rememberEntities) => new()
    {
        Role = CohortHosting.Role,
        HandOffStopMessage = StopEntity.Instance,
        RememberEntities = rememberEntities,
        RememberEntitiesStore = RememberEntitiesStore.Eventsourced,
        // Remembered entities stay until they passivate themselves.
        ShouldPassivateIdleEntities = !rememberEntities,
        PassivateIdleEntityAfter = entities.PassivateAfter,
    };
}
