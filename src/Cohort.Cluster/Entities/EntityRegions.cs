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
        // The coordinator's allocations live in replicated memory, not in the journal: a journal that two clusters
        // ever wrote (a misconfiguration) left it unable to recover ("Shard 3 not allocated"), and sharding stalled.
        // After a full restart the shards are simply allocated again. Remembered entities keep their own store.
        StateStoreMode = StateStoreMode.DData,
        HandOffStopMessage = StopEntity.Instance,
        RememberEntities = rememberEntities,
        RememberEntitiesStore = RememberEntitiesStore.Eventsourced,
        // Remembered entities stay until they passivate themselves.
        ShouldPassivateIdleEntities = !rememberEntities,
        PassivateIdleEntityAfter = entities.PassivateAfter,
    };
}
