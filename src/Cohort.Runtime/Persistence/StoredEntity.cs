namespace Cohort.Runtime.Persistence;

/// <summary>What the journal holds of one entity: its latest snapshot (if any) and the events after it.</summary>
public sealed class StoredEntity(string entityId)
{
    public string EntityId { get; } = entityId;

    public long SnapshotSeqNr { get; set; }

    public string? SnapshotJson { get; set; }

    public List<StoredEvent> Events { get; } = [];
}

public readonly record struct StoredEvent(long SeqNr, string EventType, string PayloadJson);
