using Npgsql;
using NpgsqlTypes;
using static Cohort.Runtime.Persistence.Sql;

namespace Cohort.Runtime.Persistence;

/// <summary>
/// The rows one batch appends: events, request results and snapshots, gathered column by column so that the
/// batches of several partitions go to PostgreSQL as a handful of array-parameter statements in one round trip.
/// </summary>
public sealed class BatchWrite(string entityType, int partition)
{
    private readonly List<string> eventEntityIds = [];
    private readonly List<long> eventSeqNrs = [];
    private readonly List<string> eventTypes = [];
    private readonly List<string> eventPayloads = [];
    private readonly List<string> eventRequestIds = [];
    private readonly List<int> eventPartitions = [];

    private readonly List<string> resultEntityIds = [];
    private readonly List<string> resultRequestIds = [];
    private readonly List<byte[]> resultHashes = [];
    private readonly List<string> resultJsons = [];

    private readonly List<string> snapshotEntityIds = [];
    private readonly List<long> snapshotSeqNrs = [];
    private readonly List<string> snapshotStates = [];

    public string EntityType => entityType;

    public int Partition => partition;

    public int EventCount => eventSeqNrs.Count;

    public int ResultCount => resultRequestIds.Count;

    public void AddEvent(string entityId, long seqNr, string eventType, string payloadJson, string requestId)
    {
        eventEntityIds.Add(entityId);
        eventSeqNrs.Add(seqNr);
        eventTypes.Add(eventType);
        eventPayloads.Add(payloadJson);
        eventRequestIds.Add(requestId);
        eventPartitions.Add(partition);
    }

    public void AddResult(string entityId, string requestId, byte[] payloadHash, string resultJson)
    {
        resultEntityIds.Add(entityId);
        resultRequestIds.Add(requestId);
        resultHashes.Add(payloadHash);
        resultJsons.Add(resultJson);
    }

    public void AddSnapshot(string entityId, long seqNr, string stateJson)
    {
        snapshotEntityIds.Add(entityId);
        snapshotSeqNrs.Add(seqNr);
        snapshotStates.Add(stateJson);
    }

    /// <summary>The rows of several batches of one entity type, to be written by one set of statements.</summary>
    internal static BatchWrite Merge(IReadOnlyList<BatchWrite> writes)
    {
        if (writes.Count == 1)
        {
            return writes[0];
        }
        var merged = new BatchWrite(writes[0].EntityType, -1);
        foreach (var write in writes)
        {
            merged.eventEntityIds.AddRange(write.eventEntityIds);
            merged.eventSeqNrs.AddRange(write.eventSeqNrs);
            merged.eventTypes.AddRange(write.eventTypes);
            merged.eventPayloads.AddRange(write.eventPayloads);
            merged.eventRequestIds.AddRange(write.eventRequestIds);
            merged.eventPartitions.AddRange(write.eventPartitions);
            merged.resultEntityIds.AddRange(write.resultEntityIds);
            merged.resultRequestIds.AddRange(write.resultRequestIds);
            merged.resultHashes.AddRange(write.resultHashes);
            merged.resultJsons.AddRange(write.resultJsons);
            merged.snapshotEntityIds.AddRange(write.snapshotEntityIds);
            merged.snapshotSeqNrs.AddRange(write.snapshotSeqNrs);
            merged.snapshotStates.AddRange(write.snapshotStates);
        }
        return merged;
    }

    /// <summary>
    /// The journal append, when there are events. Its result rows are each partition's last journal position:
    /// the outbox cursor of the partition moves up to it once Kafka has the messages.
    /// </summary>
    internal bool AddAppend(NpgsqlBatch batch, DateTime now)
    {
        if (EventCount == 0)
        {
            return false;
        }
        batch.BatchCommands.Add(Command("""
            WITH appended AS (
                INSERT INTO journal (entity_type, entity_id, seq_nr, event_type, payload, request_id, kafka_partition, written_at)
                SELECT $1, e, q, t, p::jsonb, r, k, $8
                  FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::int[]) WITH ORDINALITY AS u(e, q, t, p, r, k, n)
                 ORDER BY n
                RETURNING kafka_partition, position)
            SELECT kafka_partition, max(position) FROM appended GROUP BY kafka_partition
            """,
            Text(entityType), TextArray(eventEntityIds), BigintArray(eventSeqNrs), TextArray(eventTypes),
            TextArray(eventPayloads), TextArray(eventRequestIds), IntegerArray(eventPartitions), Timestamp(now)));
        return true;
    }

    internal void AddResultsAndSnapshots(NpgsqlBatch batch, DateTime now)
    {
        if (ResultCount > 0)
        {
            batch.BatchCommands.Add(Command("""
                INSERT INTO request_results (entity_type, entity_id, request_id, payload_hash, result, created_at)
                SELECT $1, e, r, h, j::json, $6
                  FROM unnest($2::text[], $3::text[], $4::bytea[], $5::text[]) AS u(e, r, h, j)
                """,
                Text(entityType), TextArray(resultEntityIds), TextArray(resultRequestIds),
                new NpgsqlParameter { Value = resultHashes, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea },
                TextArray(resultJsons), Timestamp(now)));
        }
        if (snapshotSeqNrs.Count > 0)
        {
            batch.BatchCommands.Add(Command("""
                INSERT INTO snapshots (entity_type, entity_id, seq_nr, state, written_at)
                SELECT $1, e, q, s::jsonb, $5 FROM unnest($2::text[], $3::bigint[], $4::text[]) AS u(e, q, s)
                ON CONFLICT (entity_type, entity_id) DO UPDATE
                   SET seq_nr = excluded.seq_nr, state = excluded.state, written_at = excluded.written_at
                 WHERE snapshots.seq_nr < excluded.seq_nr
                """,
                Text(entityType), TextArray(snapshotEntityIds), BigintArray(snapshotSeqNrs), TextArray(snapshotStates), Timestamp(now)));
        }
    }
}
