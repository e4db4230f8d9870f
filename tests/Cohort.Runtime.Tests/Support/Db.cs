using Npgsql;

namespace Cohort.Runtime.Tests.Support;

/// <summary>Reads the journal and read models directly, to check what a node really wrote.</summary>
internal sealed class Db(string connectionString)
{
    public async Task<T> ScalarAsync<T>(string sql, params object[] args)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var arg in args)
        {
            cmd.Parameters.AddWithValue(arg);
        }
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql, params object[] args)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var arg in args)
        {
            cmd.Parameters.AddWithValue(arg);
        }
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Waits until the account's request has a stored answer. A command produced on Kafka is processed
    /// in partition order, so once the last one produced has an answer, every earlier one has been handled.
    /// </summary>
    public async Task WaitForResultAsync(string accountId, string requestId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await ScalarAsync<long>(
            "SELECT count(*) FROM request_results WHERE entity_type = 'account' AND entity_id = $1 AND request_id = $2",
            accountId, requestId) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no answer for {accountId}/{requestId} within 30 s");
            await Task.Delay(20);
        }
    }

    public Task<long> EventCountAsync(string accountId) =>
        ScalarAsync<long>("SELECT count(*) FROM journal WHERE entity_type = 'account' AND entity_id = $1", accountId);

    public async Task<decimal?> AvailableAsync(string accountId, string asset)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT available FROM account_balances WHERE account_id = $1 AND asset = $2", conn);
        cmd.Parameters.AddWithValue(accountId);
        cmd.Parameters.AddWithValue(asset);
        return (decimal?)await cmd.ExecuteScalarAsync();
    }

    public async Task<(string Status, string? Reason)> TransferStatusAsync(string transferId)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT status, reason FROM transfers WHERE transfer_id = $1", conn);
        cmd.Parameters.AddWithValue(transferId);
        await using var reader = await cmd.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)) : ("none", null);
    }
}
