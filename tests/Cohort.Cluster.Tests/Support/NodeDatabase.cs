using Npgsql;

namespace Cohort.Cluster.Tests.Support;

/// <summary>Reads of a node's database that the tests check the node against.</summary>
internal sealed class NodeDatabase(string connectionString) : IAsyncDisposable
{
    public NpgsqlDataSource DataSource { get; } = NpgsqlDataSource.Create(
        new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = 4 }.ConnectionString);

    /// <summary>Journal rows of these persistence ids, in sequence order per id.</summary>
    public Task<IReadOnlyList<JournalRow>> JournalAsync(IReadOnlyCollection<string> persistenceIds) => JournalRow.ReadAsync(DataSource, persistenceIds);

    public async Task<long> JournalEndAsync()
    {
        await using var cmd = DataSource.CreateCommand("SELECT coalesce(max(ordering), 0) FROM event_journal");
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    public async Task<long> ProjectionOffsetAsync(string projection)
    {
        await using var cmd = DataSource.CreateCommand("SELECT ordering FROM projection_offsets WHERE projection = $1");
        cmd.Parameters.AddWithValue(projection);
        return await cmd.ExecuteScalarAsync() is long ordering ? ordering : 0;
    }

    /// <summary>
    /// Waits until each projection has handled the journal as far as it reaches now (the reconciliation singleton
    /// waits the same way before it compares).
    /// </summary>
    public async Task WaitForProjectionsAsync(TimeSpan timeout, params string[] projections)
    {
        var end = await JournalEndAsync();
        await NodeWait.UntilAsync(
            () => Task.WhenAll(projections.Select(ProjectionOffsetAsync)),
            offsets => offsets.All(o => o >= end),
            timeout,
            offsets => $"journal ends at {end}; {string.Join(", ", projections.Zip(offsets, (p, o) => $"{p} at {o}"))}");
    }

    public async Task<int> ExecuteAsync(string sql, params object[] parameters)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            cmd.Parameters.AddWithValue(parameter);
        }
        return await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Every row of a query, each as its columns by name.</summary>
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> RowsAsync(string sql, params object[] parameters)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            cmd.Parameters.AddWithValue(parameter);
        }
        var rows = new List<IReadOnlyDictionary<string, object?>>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }
            rows.Add(row);
        }
        return rows;
    }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
