using Cohort.Cluster.Entities.Accounts;
using Npgsql;

namespace Cohort.Cli.Commands;

/// <summary>What PostgreSQL holds of one benchmark run: the rows whose request id starts with the run's prefix.</summary>
internal sealed class BenchJournalCheck(NpgsqlDataSource db, string requestIdPrefix)
{
    private string? sequence;

    /// <summary>Fails early, with a clear message, when the database is unreachable or not migrated yet.</summary>
    public async Task EnsureSchemaAsync(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            "SELECT to_regclass('request_results') IS NOT NULL AND to_regclass('journal') IS NOT NULL, pg_get_serial_sequence('journal', 'position')");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct) || !reader.GetBoolean(0))
        {
            throw new InvalidOperationException("the database has no journal or request_results table: start a node on it first, it migrates the schema");
        }
        sequence = reader.IsDBNull(1) ? null : reader.GetString(1);
    }

    /// <summary>Stored results and journal events of this run's request ids (exact, but a full scan).</summary>
    public async Task<(long Results, long Events)> CountAsync(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT (SELECT count(*) FROM request_results WHERE entity_type = $1 AND request_id LIKE $2),
                   (SELECT count(*) FROM journal WHERE entity_type = $1 AND request_id LIKE $2)
            """);
        cmd.Parameters.AddWithValue(AccountRegion.TypeName);
        cmd.Parameters.AddWithValue(requestIdPrefix + "%");
        cmd.CommandTimeout = 120;
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>
    /// How many journal positions have been handed out so far: cheap enough to poll every few milliseconds, and
    /// when nothing else writes, its growth is the number of events written. Used to pace a run without replies.
    /// </summary>
    public async Task<long> JournalPositionAsync(CancellationToken ct)
    {
        if (sequence is null)
        {
            throw new InvalidOperationException("journal.position has no sequence to follow");
        }
        await using var cmd = db.CreateCommand($"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {sequence}");
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
