using Npgsql;
using NpgsqlTypes;
using static Cohort.Runtime.Persistence.Sql;

namespace Cohort.Runtime.Persistence;

/// <summary>
/// The PostgreSQL journal of one entity type: reads what a batch needs in one round trip, and commits a batch
/// in one transaction that first proves this node still owns the partition.
/// </summary>
public sealed class Journal(NpgsqlDataSource dataSource)
{
    public NpgsqlDataSource DataSource => dataSource;

    /// <summary>
    /// Loads the entities not in memory (latest snapshot plus later events) and the stored results of the
    /// batch's request ids.
    /// </summary>
    public async Task<JournalRead> ReadAsync(
        string entityType, List<string> entityIdsToLoad, List<string> requestEntityIds, List<string> requestIds, CancellationToken ct)
    {
        var read = new JournalRead();
        await using var batch = dataSource.CreateBatch();
        if (requestIds.Count > 0)
        {
            // One primary-key probe per request, whatever the statistics say. The LIMIT keeps the planner from
            // flattening the LATERAL into a join: a generic plan made while the table was young then hashed
            // all of request_results for every batch, until the next ANALYZE.
            batch.BatchCommands.Add(Command("""
                SELECT q.entity_id, q.request_id, r.payload_hash, r.result::text
                  FROM unnest($2::text[], $3::text[]) AS q(entity_id, request_id)
                  CROSS JOIN LATERAL (
                       SELECT payload_hash, result FROM request_results
                        WHERE entity_type = $1 AND entity_id = q.entity_id AND request_id = q.request_id
                        LIMIT 1) r
                """, Text(entityType), TextArray(requestEntityIds), TextArray(requestIds)));
        }
        if (entityIdsToLoad.Count > 0)
        {
            batch.BatchCommands.Add(Command(
                "SELECT entity_id, seq_nr, state::text FROM snapshots WHERE entity_type = $1 AND entity_id = ANY($2)",
                Text(entityType), TextArray(entityIdsToLoad)));
            batch.BatchCommands.Add(Command("""
                SELECT q.entity_id, j.seq_nr, j.event_type, j.payload::text
                  FROM unnest($2::text[]) AS q(entity_id)
                  CROSS JOIN LATERAL (
                       SELECT seq_nr, event_type, payload FROM journal
                        WHERE entity_type = $1 AND entity_id = q.entity_id
                          AND seq_nr > coalesce((SELECT seq_nr FROM snapshots s WHERE s.entity_type = $1 AND s.entity_id = q.entity_id), 0)
                        ORDER BY seq_nr) j
                 ORDER BY q.entity_id, j.seq_nr
                """, Text(entityType), TextArray(entityIdsToLoad)));
        }
        if (batch.BatchCommands.Count == 0)
        {
            return read;
        }
        await using var reader = await batch.ExecuteReaderAsync(ct);
        if (requestIds.Count > 0)
        {
            while (await reader.ReadAsync(ct))
            {
                read.Results[(reader.GetString(0), reader.GetString(1))] =
                    new StoredResult(reader.GetFieldValue<byte[]>(2), reader.GetString(3));
            }
            await reader.NextResultAsync(ct);
        }
        if (entityIdsToLoad.Count > 0)
        {
            while (await reader.ReadAsync(ct))
            {
                var entity = read.Entity(reader.GetString(0));
                entity.SnapshotSeqNr = reader.GetInt64(1);
                entity.SnapshotJson = reader.GetString(2);
            }
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                read.Entity(reader.GetString(0)).Events.Add(new StoredEvent(reader.GetInt64(1), reader.GetString(2), reader.GetString(3)));
            }
        }
        return read;
    }

    /// <summary>
    /// Commits the batches of several partitions in one transaction whose first statement proves that this node
    /// still holds each one's epoch, and moves each one's outbox cursor to its confirmed position.
    /// </summary>
    /// <returns>For each commit, in order, the journal position of its last event; 0 when it appended none.</returns>
    /// <exception cref="PartitionFencedException">
    /// One of the epochs is no longer the partition's (the exception names it); nothing was written.
    /// </exception>
    internal async Task<long[]> CommitAsync(IReadOnlyList<PendingCommit> group, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var types = group.GroupBy(c => c.Write.EntityType, StringComparer.Ordinal)
            .Select(g => (Commits: g.ToList(), Write: BatchWrite.Merge(g.Select(c => c.Write).ToList())))
            .ToList();
        var appending = new List<string>();
        var lastPositions = new Dictionary<(string EntityType, int Partition), long>();
        try
        {
            await InFencedTransactionAsync(group.Select(c => (c.Topic, c.Partition, c.Epoch)), batch =>
                {
                    // The appends first: theirs are the only result sets after the fence's.
                    foreach (var (_, write) in types)
                    {
                        if (write.AddAppend(batch, now))
                        {
                            appending.Add(write.EntityType);
                        }
                    }
                    foreach (var (commits, write) in types)
                    {
                        write.AddResultsAndSnapshots(batch, now);
                        commits[0].AddReadModelWrites(batch, commits, now);
                    }
                    var cursors = group.Where(c => c.ConfirmedPosition > 0).ToList();
                    if (cursors.Count > 0)
                    {
                        batch.BatchCommands.Add(CursorUpdates(
                            cursors.ConvertAll(c => c.Write.EntityType), cursors.ConvertAll(c => c.Partition),
                            cursors.ConvertAll(c => c.ConfirmedPosition)));
                    }
                },
                async reader =>
                {
                    foreach (var entityType in appending)
                    {
                        await reader.NextResultAsync(ct);
                        while (await reader.ReadAsync(ct))
                        {
                            lastPositions[(entityType, reader.GetInt32(0))] = reader.GetInt64(1);
                        }
                    }
                }, ct);
        }
        catch (PostgresException e) when (e.SqlState == PartitionFencedException.SqlState)
        {
            var stale = await FirstStaleAsync(group, ct);
            throw stale is null ? e : new PartitionFencedException(stale.Topic, stale.Partition, stale.Epoch, e);
        }
        return group.Select(c => lastPositions.GetValueOrDefault((c.Write.EntityType, c.Partition))).ToArray();
    }

    /// <summary>The events of a partition after its outbox cursor, in journal order, and the cursor itself.</summary>
    public async Task<(long Cursor, List<(long Position, string EntityId, long SeqNr, string RequestId, string EventType, string Payload, DateTime At)> Events)>
        ReadUnsentAsync(string entityType, int partition, CancellationToken ct)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(Command(
            "SELECT coalesce(max(position), 0) FROM outbox_cursors WHERE entity_type = $1 AND kafka_partition = $2",
            Text(entityType), Integer(partition)));
        batch.BatchCommands.Add(Command("""
            SELECT j.position, j.entity_id, j.seq_nr, j.request_id, j.event_type, j.payload::text, j.written_at
              FROM journal j
             WHERE j.entity_type = $1 AND j.kafka_partition = $2
               AND j.position > coalesce((SELECT position FROM outbox_cursors c WHERE c.entity_type = $1 AND c.kafka_partition = $2), 0)
             ORDER BY j.position
            """, Text(entityType), Integer(partition)));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var cursor = reader.GetInt64(0);
        await reader.NextResultAsync(ct);
        var events = new List<(long, string, long, string, string, string, DateTime)>();
        while (await reader.ReadAsync(ct))
        {
            events.Add((reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.GetDateTime(6)));
        }
        return (cursor, events);
    }

    /// <summary>Moves the outbox cursor alone, fenced like every write of the owner.</summary>
    public async Task AdvanceCursorAsync(string topic, string entityType, int partition, long epoch, long position, CancellationToken ct)
    {
        try
        {
            await InFencedTransactionAsync([(topic, partition, epoch)],
                batch => batch.BatchCommands.Add(CursorUpdates([entityType], [partition], [position])),
                _ => Task.CompletedTask, ct);
        }
        catch (PostgresException e) when (e.SqlState == PartitionFencedException.SqlState)
        {
            throw new PartitionFencedException(topic, partition, epoch, e);
        }
    }

    /// <summary>
    /// Runs statements in one transaction whose first statement holds a share lock on each partition's owner row
    /// at the given epoch, so no other node can take one over until it ends; it fails with
    /// <see cref="PartitionFencedException.SqlState"/>, having written nothing, when an epoch is stale.
    /// </summary>
    private async Task InFencedTransactionAsync(
        IEnumerable<(string Topic, int Partition, long Epoch)> fences, Action<NpgsqlBatch> addStatements,
        Func<NpgsqlDataReader, Task> read, CancellationToken ct)
    {
        var topics = new List<string>();
        var partitions = new List<int>();
        var epochs = new List<long>();
        foreach (var (topic, partition, epoch) in fences)
        {
            topics.Add(topic);
            partitions.Add(partition);
            epochs.Add(epoch);
        }
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using var batch = new NpgsqlBatch(conn, tx);
        batch.BatchCommands.Add(Command(
            "SELECT cohort_fence(t, p, e) FROM unnest($1::text[], $2::int[], $3::bigint[]) AS f(t, p, e)",
            TextArray(topics), IntegerArray(partitions), BigintArray(epochs)));
        addStatements(batch);
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            await read(reader);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>The first commit of a refused group whose epoch is no longer its partition's.</summary>
    private async Task<PendingCommit?> FirstStaleAsync(IReadOnlyList<PendingCommit> group, CancellationToken ct)
    {
        var current = new HashSet<(string, int, long)>();
        await using var cmd = dataSource.CreateCommand(
            "SELECT topic, kafka_partition, epoch FROM partition_owners WHERE (topic, kafka_partition) IN (SELECT * FROM unnest($1::text[], $2::int[]))");
        cmd.Parameters.Add(TextArray(group.Select(c => c.Topic).ToList()));
        cmd.Parameters.Add(IntegerArray(group.Select(c => c.Partition).ToList()));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            current.Add((reader.GetString(0), reader.GetInt32(1), reader.GetInt64(2)));
        }
        return group.FirstOrDefault(c => !current.Contains((c.Topic, c.Partition, c.Epoch)));
    }

    private static NpgsqlBatchCommand CursorUpdates(List<string> entityTypes, List<int> partitions, List<long> positions) => Command("""
        INSERT INTO outbox_cursors (entity_type, kafka_partition, position)
        SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[])
        ON CONFLICT (entity_type, kafka_partition) DO UPDATE SET position = greatest(outbox_cursors.position, excluded.position)
        """, TextArray(entityTypes), IntegerArray(partitions), BigintArray(positions));
}

/// <summary>What <see cref="Journal.ReadAsync"/> found.</summary>
public sealed class JournalRead
{
    public Dictionary<string, StoredEntity> Entities { get; } = new(StringComparer.Ordinal);

    public Dictionary<(string EntityId, string RequestId), StoredResult> Results { get; } = [];

    internal StoredEntity Entity(string entityId)
    {
        if (!Entities.TryGetValue(entityId, out var entity))
        {
            entity = new StoredEntity(entityId);
            Entities[entityId] = entity;
        }
        return entity;
    }
}
