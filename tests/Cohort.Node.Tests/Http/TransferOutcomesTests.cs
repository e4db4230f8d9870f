using Cohort.Node.Http;
using Cohort.Runtime.Persistence;
using Cohort.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Cohort.Node.Tests.Http;

/// <summary>How waiting transfer POSTs learn their outcome, against a real PostgreSQL <c>transfers</c> table.</summary>
public sealed class TransferOutcomesTests : IAsyncLifetime
{
    private readonly PostgresServer postgres = new();
    private readonly CancellationTokenSource stop = new();
    private NpgsqlDataSource db = null!;
    private TransferOutcomes outcomes = null!;

    public async Task InitializeAsync()
    {
        await postgres.InitializeAsync();
        db = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync(nameof(TransferOutcomesTests)));
        await new Migrator(db, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        outcomes = new TransferOutcomes(db, NullLogger<TransferOutcomes>.Instance);
        await outcomes.StartAsync(stop.Token);
    }

    public async Task DisposeAsync()
    {
        await outcomes.StopAsync(CancellationToken.None);
        outcomes.Dispose();
        await db.DisposeAsync();
        await postgres.DisposeAsync();
    }

    [Fact]
    public async Task Every_waiter_hears_the_outcome_once_the_transfer_is_final_and_not_before()
    {
        await SetStatusAsync("t-1", "pending", reason: null);
        await SetStatusAsync("t-2", "pending", reason: null);
        var first = outcomes.WaitAsync("t-1", TimeSpan.FromSeconds(30), CancellationToken.None);
        var retry = outcomes.WaitAsync("t-1", TimeSpan.FromSeconds(30), CancellationToken.None);
        var other = outcomes.WaitAsync("t-2", TimeSpan.FromSeconds(30), CancellationToken.None);

        await Task.Delay(100);
        Assert.False(first.IsCompleted || retry.IsCompleted || other.IsCompleted, "answered while every transfer was pending");

        await SetStatusAsync("t-1", "completed", reason: null);
        await SetStatusAsync("t-2", "rejected", reason: "insufficient_funds");

        Assert.Equal(("completed", null), Outcome(await first));
        Assert.Equal(("completed", null), Outcome(await retry));
        Assert.Equal(("rejected", "insufficient_funds"), Outcome(await other));
        Assert.Contains("\"status\":\"completed\"", (await first).Json);
    }

    [Fact]
    public async Task A_transfer_still_pending_when_the_wait_ends_is_a_timeout()
    {
        await SetStatusAsync("t-3", "pending", reason: null);

        await Assert.ThrowsAsync<TimeoutException>(() => outcomes.WaitAsync("t-3", TimeSpan.FromMilliseconds(200), CancellationToken.None));

        await SetStatusAsync("t-3", "completed", reason: null);
        Assert.Equal(("completed", null), Outcome(await outcomes.WaitAsync("t-3", TimeSpan.FromSeconds(30), CancellationToken.None)));
    }

    private static (string, string?) Outcome(TransferView view) => (view.Status, view.Reason);

    private async Task SetStatusAsync(string transferId, string status, string? reason)
    {
        await using var cmd = db.CreateCommand("""
            INSERT INTO transfers (transfer_id, from_account, to_account, asset, amount, status, reason, seq_nr, updated_at)
            VALUES ($1, 'alice', 'bob', 'USDT', 1.50, $2, $3, 1, now())
            ON CONFLICT (transfer_id) DO UPDATE SET status = excluded.status, reason = excluded.reason
            """);
        cmd.Parameters.AddWithValue(transferId);
        cmd.Parameters.AddWithValue(status);
        cmd.Parameters.AddWithValue((object?)reason ?? DBNull.Value);
        await cmd.ExecuteNonQueryAsync();
    }
}
