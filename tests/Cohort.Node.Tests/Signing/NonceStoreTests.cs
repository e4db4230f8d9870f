using Cohort.Node.Signing;
using Cohort.Cluster.Persistence;
using Cohort.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Cohort.Node.Tests.Signing;

/// <summary>The nonce store against a real PostgreSQL, with one data source per simulated node.</summary>
public sealed class NonceStoreTests : IAsyncLifetime
{
    private readonly PostgresServer postgres = new();
    private NpgsqlDataSource nodeA = null!;
    private NpgsqlDataSource nodeB = null!;

    public async Task InitializeAsync()
    {
        await postgres.InitializeAsync();
        var connectionString = await postgres.CreateDatabaseAsync(nameof(NonceStoreTests));
        nodeA = NpgsqlDataSource.Create(connectionString);
        nodeB = NpgsqlDataSource.Create(connectionString);
        await new Migrator(nodeA, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await nodeA.DisposeAsync();
        await nodeB.DisposeAsync();
        await postgres.DisposeAsync();
    }

    [Fact]
    public async Task Nonce_used_on_one_node_is_refused_on_another()
    {
        Assert.True(await new NonceStore(nodeA).TryRecordAsync("svc-a", "n-1", CancellationToken.None));
        Assert.False(await new NonceStore(nodeB).TryRecordAsync("svc-a", "n-1", CancellationToken.None));
        Assert.False(await new NonceStore(nodeA).TryRecordAsync("svc-a", "n-1", CancellationToken.None));
    }

    [Fact]
    public async Task Same_nonce_under_another_key_is_new()
    {
        var store = new NonceStore(nodeA);

        Assert.True(await store.TryRecordAsync("svc-a", "n-2", CancellationToken.None));
        Assert.True(await store.TryRecordAsync("svc-b", "n-2", CancellationToken.None));
    }

    [Fact]
    public async Task Prune_deletes_only_old_nonces_a_slice_at_a_time()
    {
        var store = new NonceStore(nodeA);
        for (var i = 0; i < 5; i++)
        {
            await store.TryRecordAsync("svc-p", $"old-{i}", CancellationToken.None);
        }
        await store.TryRecordAsync("svc-p", "recent", CancellationToken.None);
        await using (var age = nodeA.CreateCommand(
            "UPDATE request_nonces SET seen_at = now() - interval '11 minutes' WHERE key_id = 'svc-p' AND nonce LIKE 'old-%'"))
        {
            await age.ExecuteNonQueryAsync();
        }

        Assert.Equal(3, await store.PruneAsync(TimeSpan.FromMinutes(10), 3, CancellationToken.None));
        Assert.Equal(2, await store.PruneAsync(TimeSpan.FromMinutes(10), 3, CancellationToken.None));
        Assert.Equal(0, await store.PruneAsync(TimeSpan.FromMinutes(10), 3, CancellationToken.None));
        Assert.False(await store.TryRecordAsync("svc-p", "recent", CancellationToken.None));
        Assert.True(await store.TryRecordAsync("svc-p", "old-0", CancellationToken.None));
    }
}
