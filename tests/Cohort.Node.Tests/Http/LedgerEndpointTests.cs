using System.Text.Json;
using Cohort.Node.Http;
using Cohort.Runtime.Persistence;
using Cohort.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Cohort.Node.Tests.Http;

/// <summary>The ledger route against a real PostgreSQL: paging by seqNr, the asset filter, and the v1 response shape.</summary>
public sealed class LedgerEndpointTests : IAsyncLifetime
{
    private readonly PostgresServer postgres = new();
    private NpgsqlDataSource db = null!;

    public async Task InitializeAsync()
    {
        await postgres.InitializeAsync();
        db = NpgsqlDataSource.Create(await postgres.CreateDatabaseAsync(nameof(LedgerEndpointTests)));
        await new Migrator(db, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        // alice has USDT at seqNr 1, 2, 4 and 5 and BTC at 3; bob's entry must never show on alice's pages.
        await using var insert = db.CreateCommand("""
            INSERT INTO ledger (account_id, asset, seq_nr, kind, delta_available, delta_frozen, available_after, frozen_after, request_id, created_at)
            SELECT a, s, q, 'deposit', 1, 0, q, 0, a || '-' || q, now()
              FROM (VALUES ('alice', 'USDT', 1), ('alice', 'USDT', 2), ('alice', 'BTC', 3), ('alice', 'USDT', 4), ('alice', 'USDT', 5),
                           ('bob', 'USDT', 1)) AS t(a, s, q)
            """);
        await insert.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        await db.DisposeAsync();
        await postgres.DisposeAsync();
    }

    [Fact]
    public async Task Pages_follow_seq_nr_and_a_full_page_names_its_last_seq_nr_as_next()
    {
        var first = await PageAsync(asset: null, after: null, limit: 2);
        var second = await PageAsync(asset: null, after: first.Next, limit: 2);
        var third = await PageAsync(asset: null, after: second.Next, limit: 2);

        Assert.Equal("seqNr 1, 2; next 2", first.Summary);
        Assert.Equal("seqNr 3, 4; next 4", second.Summary);
        Assert.Equal("seqNr 5; next none", third.Summary);
    }

    [Fact]
    public async Task The_asset_filter_pages_through_that_asset_only()
    {
        var first = await PageAsync(asset: "USDT", after: null, limit: 2);
        var second = await PageAsync(asset: "USDT", after: first.Next, limit: 2);
        var third = await PageAsync(asset: "USDT", after: second.Next, limit: 2);

        Assert.Equal("seqNr 1, 2; next 2", first.Summary);
        Assert.Equal("seqNr 4, 5; next 5", second.Summary);
        Assert.Equal("seqNr ; next none", third.Summary);
    }

    [Fact]
    public async Task An_entry_keeps_every_v1_field_and_its_entry_id_is_its_seq_nr()
    {
        var page = await PageAsync(asset: "BTC", after: null, limit: 10);

        var entry = Assert.Single(page.Entries);
        Assert.Equal(
            ["entryId", "asset", "seqNr", "kind", "deltaAvailable", "deltaFrozen", "availableAfter", "frozenAfter", "requestId", "createdAt"],
            entry.EnumerateObject().Select(p => p.Name));
        Assert.Equal(3, entry.GetProperty("entryId").GetInt64());
        Assert.Equal(3, entry.GetProperty("seqNr").GetInt64());
        Assert.Equal("alice-3", entry.GetProperty("requestId").GetString());
    }

    private async Task<Page> PageAsync(string? asset, long? after, int limit)
    {
        var result = await AccountEndpoints.GetLedgerAsync("alice", asset, after, limit, db, CancellationToken.None);
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Response.Body = new MemoryStream();
        await result.ExecuteAsync(context);

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        context.Response.Body.Position = 0;
        using var json = await JsonDocument.ParseAsync(context.Response.Body);
        var root = json.RootElement;
        Assert.Equal("alice", root.GetProperty("accountId").GetString());
        var next = root.GetProperty("next");
        return new Page(
            root.GetProperty("entries").EnumerateArray().Select(e => e.Clone()).ToList(),
            next.ValueKind == JsonValueKind.Null ? null : next.GetInt64());
    }

    private sealed record Page(List<JsonElement> Entries, long? Next)
    {
        public string Summary =>
            $"seqNr {string.Join(", ", Entries.Select(e => e.GetProperty("seqNr").GetInt64()))}; next {Next?.ToString() ?? "none"}";
    }
}
