using Npgsql;
using Xunit;

namespace Cohort.Testing;

/// <summary>
/// xunit fixture handing out fresh, empty databases, dropped again when the fixture is disposed. All fixtures of a
/// test process share one server: the one COHORT_TEST_POSTGRES names (an admin connection string), or else a
/// throwaway local PostgreSQL 15 started on first use and stopped when the process exits.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string ServerVariable = "COHORT_TEST_POSTGRES";

    // PostgreSQL's identifier limit is 63 bytes; the rest of the name is "_" and a 32-character unique suffix.
    private const int MaxPrefixLength = 30;

    private static readonly Lazy<Task<string>> SharedAdminConnectionString =
        new(ResolveServerAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly List<string> _databases = [];
    private string _adminConnectionString = "";

    public async Task InitializeAsync() => _adminConnectionString = await SharedAdminConnectionString.Value;

    /// <returns>A connection string to a newly created database whose name starts with <paramref name="prefix"/>.</returns>
    public async Task<string> CreateDatabaseAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var name = $"{Sanitize(prefix)}_{Guid.NewGuid():N}";
        await ExecuteAsync($"CREATE DATABASE \"{name}\"", cancellationToken);
        lock (_databases)
        {
            _databases.Add(name);
        }

        return new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = name }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        string[] databases;
        lock (_databases)
        {
            databases = [.. _databases];
            _databases.Clear();
        }

        foreach (var name in databases)
        {
            NpgsqlConnection.ClearPool(
                new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = name }.ConnectionString));
            // FORCE: code under test may still hold connections, e.g. from a pool of its own.
            await ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", CancellationToken.None);
        }
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<string> ResolveServerAsync()
    {
        var configured = Environment.GetEnvironmentVariable(ServerVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var local = await LocalPostgres.StartAsync(CancellationToken.None);
        return local.AdminConnectionString;
    }

    private static string Sanitize(string prefix)
    {
        var name = new string(prefix.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
        return name.Length > MaxPrefixLength ? name[..MaxPrefixLength] : name;
    }
}
