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
            batch.BatchCommands.Add(Command("""
                SELECT r.entity_id, r.request_id, r.payload_hash, r.result::text
                  FROM unnest($2::text[], $3::text[]) AS q(entity_id, request_id)
                  JOIN request_results r ON r.entity_type = $1 AND r.entity_id = q.entity_id AND r.request_id = q.request_id
                """, Text(entityType), TextArray(requestEntityIds), TextArray(requestIds)));
        }
        if (entityIdsToLoad.Count > 0)
        {
            batch.BatchCommands.Add(Command(
                "SELECT entity_id, seq_nr, state::text FROM snapshots WHERE entity_type = $1 AND entity_id = ANY($2)",
                Text(entityType), TextArray(entityIdsToLoad)));
            batch.BatchCommands.Add(Command("""
                SELECT j.entity_id, j.seq_nr, j.event_type, j.payload::text
                  FROM journal j
                  LEFT JOIN snapshots s ON s.entity_type = j.entity_type AND s.entity_id = j.entity_id
                 WHERE j.entity_type = $1 AND j.entity_id = ANY($2) AND j.seq_nr > coalesce(s.seq_nr, 0)
                 ORDER BY j.entity_id, j.seq_nr
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
    /// Commits a batch. Throws <see cref="PartitionFencedException"/>, having written nothing, when
    /// <paramref name="epoch"/> is no longer the partition's.
    /// </summary>
    public async Task CommitAsync(
        string topic, int partition, long epoch, BatchWrite write, Action<NpgsqlBatch, DateTime>? addReadModel, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using var batch = new NpgsqlBatch(conn, tx);
        batch.BatchCommands.Add(Command("SELECT cohort_fence($1, $2, $3)", Text(topic), Integer(partition), Bigint(epoch)));
        write.AddStatements(batch, now);
        addReadModel?.Invoke(batch, now);
        try
        {
            await batch.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PartitionFencedException.SqlState)
        {
            throw new PartitionFencedException(topic, partition, epoch, e);
        }
    }
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
