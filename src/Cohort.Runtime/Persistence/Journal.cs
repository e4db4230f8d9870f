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
            // LATERAL keeps these primary-key lookups whatever the planner's statistics say: on a young table
            // without them it would hash the whole table for every batch.
            batch.BatchCommands.Add(Command("""
                SELECT q.entity_id, q.request_id, r.payload_hash, r.result::text
                  FROM unnest($2::text[], $3::text[]) AS q(entity_id, request_id)
                  CROSS JOIN LATERAL (
                       SELECT payload_hash, result FROM request_results
                        WHERE entity_type = $1 AND entity_id = q.entity_id AND request_id = q.request_id) r
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
    /// Commits a batch, and moves the partition's outbox cursor to <paramref name="confirmedPosition"/> when
    /// that is above zero. Throws <see cref="PartitionFencedException"/>, having written nothing, when
    /// <paramref name="epoch"/> is no longer the partition's.
    /// </summary>
    /// <returns>The journal position of the batch's last event; 0 when it appended none.</returns>
    public Task<long> CommitAsync(
        string topic, int partition, long epoch, BatchWrite write, long confirmedPosition,
        Action<NpgsqlBatch, DateTime>? addReadModel, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        return InFencedTransactionAsync(topic, partition, epoch, batch =>
            {
                write.AddStatements(batch, now);
                if (confirmedPosition > 0)
                {
                    batch.BatchCommands.Add(CursorUpdate(write.EntityType, partition, confirmedPosition));
                }
                addReadModel?.Invoke(batch, now);
            },
            async reader =>
            {
                if (write.EventCount == 0)
                {
                    return 0L;
                }
                await reader.NextResultAsync(ct);
                await reader.ReadAsync(ct);
                return reader.GetInt64(0);
            }, ct);
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
    public Task AdvanceCursorAsync(string topic, string entityType, int partition, long epoch, long position, CancellationToken ct) =>
        InFencedTransactionAsync(topic, partition, epoch,
            batch => batch.BatchCommands.Add(CursorUpdate(entityType, partition, position)),
            _ => Task.FromResult(0L), ct);

    /// <summary>
    /// Runs statements in one transaction whose first statement proves this node still holds
    /// <paramref name="epoch"/>; throws <see cref="PartitionFencedException"/>, having written nothing, when not.
    /// </summary>
    private async Task<T> InFencedTransactionAsync<T>(
        string topic, int partition, long epoch, Action<NpgsqlBatch> addStatements, Func<NpgsqlDataReader, Task<T>> read, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using var batch = new NpgsqlBatch(conn, tx);
        batch.BatchCommands.Add(Command("SELECT cohort_fence($1, $2, $3)", Text(topic), Integer(partition), Bigint(epoch)));
        addStatements(batch);
        try
        {
            T result;
            await using (var reader = await batch.ExecuteReaderAsync(ct))
            {
                result = await read(reader);
            }
            await tx.CommitAsync(ct);
            return result;
        }
        catch (PostgresException e) when (e.SqlState == PartitionFencedException.SqlState)
        {
            throw new PartitionFencedException(topic, partition, epoch, e);
        }
    }

    private static NpgsqlBatchCommand CursorUpdate(string entityType, int partition, long position) => Command("""
        INSERT INTO outbox_cursors (entity_type, kafka_partition, position) VALUES ($1, $2, $3)
        ON CONFLICT (entity_type, kafka_partition) DO UPDATE SET position = greatest(outbox_cursors.position, excluded.position)
        """, Text(entityType), Integer(partition), Bigint(position));
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
