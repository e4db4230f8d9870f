using Npgsql;

namespace Cohort.Cluster.Persistence.Projections;

/// <summary>The rows of <c>projection_offsets</c>, and where the journal ends, for the projections and their lag.</summary>
public sealed class ProjectionOffsets(NpgsqlDataSource db)
{
    public async Task<long> ReadAsync(string projection, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT ordering FROM projection_offsets WHERE projection = $1");
        cmd.Parameters.AddWithValue(projection);
        return await cmd.ExecuteScalarAsync(ct) is long ordering ? ordering : 0;
    }

    /// <summary>A statement that stores <paramref name="ordering"/> as the projection's offset, for the batch's transaction.</summary>
    public static NpgsqlBatchCommand Store(string projection, long ordering)
    {
        var cmd = new NpgsqlBatchCommand("""
            INSERT INTO projection_offsets (projection, ordering, updated_at) VALUES ($1, $2, now())
            ON CONFLICT (projection) DO UPDATE SET ordering = excluded.ordering, updated_at = excluded.updated_at
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = projection });
        cmd.Parameters.Add(new NpgsqlParameter { Value = ordering });
        return cmd;
    }

    public async Task StoreAsync(string projection, long ordering, CancellationToken ct)
    {
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(Store(projection, ordering));
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>How many journal records lie beyond <paramref name="offset"/>, and when the first of them was written.</summary>
    public async Task<(long Behind, DateTime? OldestUnhandled)> LagAsync(long offset, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT (SELECT coalesce(max(ordering), 0) FROM event_journal),
                   (SELECT created FROM event_journal WHERE ordering > $1 ORDER BY ordering LIMIT 1)
            """);
        cmd.Parameters.AddWithValue(offset);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var max = reader.GetInt64(0);
        // The plugin stores created as DateTime ticks (UTC).
        return (Math.Max(0, max - offset), reader.IsDBNull(1) ? null : new DateTime(reader.GetInt64(1), DateTimeKind.Utc));
    }

    /// <summary>The ordering of the last journal record written so far.</summary>
    public async Task<long> JournalEndAsync(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT coalesce(max(ordering), 0) FROM event_journal");
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
