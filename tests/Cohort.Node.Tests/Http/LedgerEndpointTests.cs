using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cohort.Node.Tests.Support;

namespace Cohort.Node.Tests.Http;

/// <summary>One plain node for the HTTP read-side tests.</summary>
public sealed class PlainNodeFixture : SingleNodeFixture
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();
}

/// <summary>
/// The ledger route of a real node, read off the account's journal: paging by seqNr, the asset filter, refusals left
/// out (they take a seqNr in the journal but change nothing), and the v1 response shape.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class LedgerEndpointTests(PlainNodeFixture node) : IClassFixture<PlainNodeFixture>, IAsyncLifetime
{
    private readonly string alice = $"alice-{Guid.NewGuid():N}"[..20];

    /// <summary>alice: USDT at seqNr 1, 2, 4 and 6, BTC at 3, a refused withdrawal at 5; bob's entry must never show on alice's pages.</summary>
    public async Task InitializeAsync()
    {
        await PostAsync(alice, "deposit", "USDT", "1", 200);
        await PostAsync(alice, "deposit", "USDT", "2", 200);
        await PostAsync(alice, "deposit", "BTC", "3", 200);
        await PostAsync(alice, "deposit", "USDT", "4", 200);
        await PostAsync(alice, "withdraw", "USDT", "500", 409);
        await PostAsync(alice, "deposit", "USDT", "6", 200);
        await PostAsync($"bob-{alice}", "deposit", "USDT", "1", 200);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Pages_follow_seq_nr_skip_refusals_and_a_full_page_names_its_last_seq_nr_as_next()
    {
        var first = await PageAsync(asset: null, after: null, limit: 2);
        var second = await PageAsync(asset: null, after: first.Next, limit: 2);
        var third = await PageAsync(asset: null, after: second.Next, limit: 2);

        Assert.Equal("seqNr 1, 2; next 2", first.Summary);
        Assert.Equal("seqNr 3, 4; next 4", second.Summary);
        Assert.Equal("seqNr 6; next none", third.Summary);
    }

    [Fact]
    public async Task The_asset_filter_pages_through_that_asset_only()
    {
        var first = await PageAsync(asset: "USDT", after: null, limit: 2);
        var second = await PageAsync(asset: "USDT", after: first.Next, limit: 2);
        var third = await PageAsync(asset: "USDT", after: second.Next, limit: 2);

        Assert.Equal("seqNr 1, 2; next 2", first.Summary);
        Assert.Equal("seqNr 4, 6; next 6", second.Summary);
        Assert.Equal("seqNr ; next none", third.Summary);
    }

    [Fact]
    public async Task An_entry_keeps_every_v1_field_its_entry_id_is_its_seq_nr_and_it_carries_the_balance_after_it()
    {
        var page = await PageAsync(asset: "USDT", after: 2, limit: 1);

        var entry = Assert.Single(page.Entries);
        Assert.Equal(
            ["entryId", "asset", "seqNr", "kind", "deltaAvailable", "deltaFrozen", "availableAfter", "frozenAfter", "requestId", "createdAt"],
            entry.EnumerateObject().Select(p => p.Name));
        Assert.Equal(4, entry.GetProperty("entryId").GetInt64());
        Assert.Equal(4, entry.GetProperty("seqNr").GetInt64());
        Assert.Equal("deposit", entry.GetProperty("kind").GetString());
        Assert.Equal("4", entry.GetProperty("deltaAvailable").GetString());
        Assert.Equal("7", entry.GetProperty("availableAfter").GetString());
        Assert.Equal($"{alice}-deposit-USDT-4", entry.GetProperty("requestId").GetString());
    }

    [Fact]
    public async Task Bad_paging_parameters_are_refused()
    {
        using var response = await node.Http.GetAsync($"/api/v1/accounts/{alice}/ledger?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("validation_failed", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    private async Task PostAsync(string account, string command, string asset, string amount, int status)
    {
        using var response = await node.Http.PostAsJsonAsync($"/api/v1/accounts/{account}/{command}",
            new { requestId = $"{account}-{command}-{asset}-{amount}", asset, amount });
        Assert.Equal(status, (int)response.StatusCode);
    }

    private async Task<Page> PageAsync(string? asset, long? after, int limit)
    {
        var query = $"limit={limit}" + (asset is null ? "" : $"&asset={asset}") + (after is null ? "" : $"&after={after}");
        using var response = await node.Http.GetAsync($"/api/v1/accounts/{alice}/ledger?{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal(alice, root.GetProperty("accountId").GetString());
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
