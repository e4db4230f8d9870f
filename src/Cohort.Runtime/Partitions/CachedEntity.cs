namespace Cohort.Runtime.Partitions;

/// <summary>An entity in memory, as the journal has it committed.</summary>
internal sealed class CachedEntity<TState>(TState state, long seqNr, long snapshotSeqNr)
{
    public TState State { get; set; } = state;

    public long SeqNr { get; set; } = seqNr;

    public long SnapshotSeqNr { get; set; } = snapshotSeqNr;

    public long LastUsedTicks { get; set; } = Environment.TickCount64;
}
