using Cohort.Runtime.Entities;
using Cohort.Runtime.Persistence;
using Npgsql;

namespace Cohort.Runtime.Partitions;

/// <summary>A pending commit that carries what its entity type's read model needs from the batch.</summary>
internal sealed class ProjectedCommit<TState, TEvent>(
    string topic,
    long epoch,
    BatchWrite write,
    long confirmedPosition,
    IReadModelProjection<TState, TEvent>? readModel,
    List<EntityChange<TState>> changes,
    List<(JournaledEvent<TEvent> Event, TState After)> events)
    : PendingCommit(topic, epoch, write, confirmedPosition)
{
    // Fields, not captured parameters: merging reads them from the other commits of the group.
    private readonly List<EntityChange<TState>> changes = changes;
    private readonly List<(JournaledEvent<TEvent> Event, TState After)> events = events;

    public override void AddReadModelWrites(NpgsqlBatch batch, IReadOnlyList<PendingCommit> sameType, DateTime now)
    {
        if (readModel is null)
        {
            return;
        }
        if (sameType.Count == 1)
        {
            readModel.AddWrites(batch, changes, events, now);
            return;
        }
        // Partitions never share an entity, so the concatenation still names each changed entity once.
        var allChanges = new List<EntityChange<TState>>();
        var allEvents = new List<(JournaledEvent<TEvent>, TState)>();
        foreach (ProjectedCommit<TState, TEvent> commit in sameType)
        {
            allChanges.AddRange(commit.changes);
            allEvents.AddRange(commit.events);
        }
        readModel.AddWrites(batch, allChanges, allEvents, now);
    }
}
