using System.Text.Json;
using Cohort.Cluster.Persistence;
using Cohort.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Cohort.Cluster.Tests.Support;

/// <summary>
/// A fresh database per test class, migrated by the node's own <see cref="Migrator"/> (the journal runs with
/// auto-init off, as on a node), and the queries tests use to look at what the journal really holds.
/// </summary>
public sealed class JournalDatabase : IAsyncLifetime
{
    private readonly PostgresServer server = new();

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await server.InitializeAsync();
        ConnectionString = await server.CreateDatabaseAsync("cluster_actors");
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        await new Migrator(dataSource, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
    }

    public Task DisposeAsync() => server.DisposeAsync();

    /// <summary>Every row of a persistence id, in sequence order.</summary>
    public async Task<IReadOnlyList<JournalRow>> RowsAsync(string persistenceId)
    {
        await using var db = NpgsqlDataSource.Create(ConnectionString);
        return await JournalRow.ReadAsync(db, [persistenceId]);
    }

    /// <returns>The row at <paramref name="seqNr"/>, or null when the journal does not hold it.</returns>
    public async Task<JournalRow?> RowAsync(string persistenceId, long seqNr) =>
        (await RowsAsync(persistenceId)).SingleOrDefault(r => r.SeqNr == seqNr);

    /// <summary>The sequence numbers of the snapshots stored for a persistence id, with their manifest.</summary>
    public async Task<IReadOnlyList<(long SeqNr, string Manifest, JsonElement Payload)>> SnapshotsAsync(string persistenceId)
    {
        await using var conn = await OpenAsync();
        await using var cmd = new NpgsqlCommand(
            """
            SELECT sequence_number, manifest, convert_from(snapshot, 'UTF8')::jsonb::text
            FROM snapshot_store WHERE persistence_id = $1 ORDER BY sequence_number
            """, conn);
        cmd.Parameters.AddWithValue(persistenceId);
        await using var reader = await cmd.ExecuteReaderAsync();
        var snapshots = new List<(long, string, JsonElement)>();
        while (await reader.ReadAsync())
        {
            using var doc = JsonDocument.Parse(reader.GetString(2));
            snapshots.Add((reader.GetInt64(0), reader.GetString(1), doc.RootElement.Clone()));
        }
        return snapshots;
    }

    public async Task<int> DeleteSnapshotsAsync(string persistenceId)
    {
        await using var conn = await OpenAsync();
        await using var cmd = new NpgsqlCommand("DELETE FROM snapshot_store WHERE persistence_id = $1", conn);
        cmd.Parameters.AddWithValue(persistenceId);
        return await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Holds a SHARE lock on the journal until disposed: reads go on, every insert waits. Shows that an answer waits
    /// for its write, not merely that the write is fast.
    /// </summary>
    public async Task<IAsyncDisposable> BlockJournalWritesAsync()
    {
        var conn = await OpenAsync();
        var tx = await conn.BeginTransactionAsync();
        await using (var cmd = new NpgsqlCommand("LOCK TABLE event_journal IN SHARE MODE", conn, tx))
        {
            await cmd.ExecuteNonQueryAsync();
        }
        return new JournalLock(conn, tx);
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        return conn;
    }

    private sealed class JournalLock(NpgsqlConnection conn, NpgsqlTransaction tx) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await tx.RollbackAsync();
            await tx.DisposeAsync();
            await conn.DisposeAsync();
        }
    }
}
