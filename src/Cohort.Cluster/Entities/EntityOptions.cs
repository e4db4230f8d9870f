namespace Cohort.Cluster.Entities;

/// <summary>Settings shared by every entity type (section <c>Cohort:Entities</c>).</summary>
public sealed class EntityOptions
{
    public const string Section = "Cohort:Entities";

    /// <summary>How long a request id is remembered, with its first answer, after the command.</summary>
    public TimeSpan RequestRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Journal records between snapshots, at least. An entity whose last snapshot held more request ids than this
    /// waits for as many records as that snapshot held ids, so writing snapshots costs a bounded amount per record.
    /// </summary>
    public int SnapshotEvery { get; set; } = 200;

    /// <summary>Records written together at most, while commands pile up behind a write in flight.</summary>
    public int MaxBatch { get; set; } = 1000;

    /// <summary>An entity nobody asked for this long leaves memory.</summary>
    public TimeSpan PassivateAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Shards per entity type: fixed for the life of a cluster (it decides where each entity lives).</summary>
    public int ShardCount { get; set; } = 64;
}
