using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cohort.Node.Tests.Support;

namespace Cohort.Node.Tests.Http;

/// <summary>
/// The product routes of a real node: PUT creates and restocks, GET reads the entity, PATCH changes details, and the
/// list pages the products projection.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class ProductEndpointTests(PlainNodeFixture node) : IClassFixture<PlainNodeFixture>
{
    private readonly string sku = $"mug-{Guid.NewGuid():N}"[..20];

    [Fact]
    public async Task A_put_creates_the_product_and_a_get_reads_it_back()
    {
        using var missing = await node.Http.GetAsync($"/api/v1/products/{sku}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        var created = await SendAsync(HttpMethod.Put, new { requestId = "p-1", name = "Mug", price = "12.50", asset = "EUR", addStock = 10, category = "kitchen" });
        Assert.Equal(HttpStatusCode.OK, created.Status);
        Assert.Equal(1, created.Body.GetProperty("seqNr").GetInt64());
        var restocked = await SendAsync(HttpMethod.Put, new { requestId = "p-2", name = "Mug", price = "12.5", asset = "EUR", addStock = 5 });
        Assert.Equal(HttpStatusCode.OK, restocked.Status);
        var changed = await SendAsync(HttpMethod.Patch, new { requestId = "p-3", price = "9.99" });
        Assert.Equal(HttpStatusCode.OK, changed.Status);

        using var response = await node.Http.GetAsync($"/api/v1/products/{sku}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var product = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($$"""{"sku":"{{sku}}","name":"Mug","price":"9.99","asset":"EUR","category":"kitchen","available":15,"reserved":0,"sold":0}""",
            product.GetRawText());
        // The cluster view lists the stock region with the others, from the registered modules.
        var cluster = await ClusterInfo.ReadAsync(node.Http);
        Assert.NotEmpty(cluster.ShardHomes("stock"));
    }

    [Fact]
    public async Task Invalid_bodies_are_refused_and_a_reused_request_id_conflicts()
    {
        var numeric = await SendAsync(HttpMethod.Put, new { requestId = "p-1", name = "Mug", price = 12.5, asset = "EUR", addStock = 1 });
        Assert.Equal((HttpStatusCode.BadRequest, "validation_failed"), (numeric.Status, numeric.Body.GetProperty("code").GetString()));
        Assert.Contains("price", numeric.Body.GetProperty("detail").GetString());
        var empty = await SendAsync(HttpMethod.Patch, new { requestId = "p-2" });
        Assert.Equal(HttpStatusCode.BadRequest, empty.Status);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Put, new { requestId = "p-3", name = "Mug", price = "1", asset = "EUR", addStock = 1 })).Status);
        var other = await SendAsync(HttpMethod.Put, new { requestId = "p-4", name = "Cup", price = "1", asset = "EUR", addStock = 1 });
        Assert.Equal((HttpStatusCode.BadRequest, "validation_failed"), (other.Status, other.Body.GetProperty("code").GetString()));
        var reused = await SendAsync(HttpMethod.Put, new { requestId = "p-3", name = "Mug", price = "1", asset = "EUR", addStock = 2 });
        Assert.Equal((HttpStatusCode.Conflict, "idempotency_conflict"), (reused.Status, reused.Body.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task The_list_pages_a_category_in_sku_order_once_the_projection_shows_it()
    {
        var category = $"cat-{Guid.NewGuid():N}";
        var skus = new[] { $"{sku}-c", $"{sku}-a", $"{sku}-b" };
        foreach (var (s, i) in skus.Select((s, i) => (s, i)))
        {
            var put = await SendAsync(HttpMethod.Put, new { requestId = "p-1", name = $"Mug {i}", price = $"1{i}.50", asset = "EUR", addStock = 3, category }, s);
            Assert.Equal(HttpStatusCode.OK, put.Status);
        }
        // Outside the category: listed without one, never with it.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Put, new { requestId = "p-1", name = "Cup", price = "2", asset = "EUR", addStock = 1 }, $"{sku}-d")).Status);

        var first = await ListUntilAsync($"category={category}&pageSize=2", page => page.GetProperty("total").GetInt64() == 3);
        Assert.Equal(
            $$"""{"items":[{"sku":"{{sku}}-a","name":"Mug 1","price":"11.50","asset":"EUR","category":"{{category}}","available":3,"reserved":0,"sold":0},{"sku":"{{sku}}-b","name":"Mug 2","price":"12.50","asset":"EUR","category":"{{category}}","available":3,"reserved":0,"sold":0}],"page":1,"pageSize":2,"total":3}""",
            first.GetRawText());
        var second = await ListAsync($"category={category}&pageSize=2&page=2");
        Assert.Equal([$"{sku}-c"], second.Body.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("sku").GetString()));
        var beyond = await ListAsync($"category={category}&pageSize=2&page=3");
        Assert.Equal((0, 3L), (beyond.Body.GetProperty("items").GetArrayLength(), beyond.Body.GetProperty("total").GetInt64()));
        var all = await ListUntilAsync("pageSize=100", page => page.GetProperty("total").GetInt64() >= 4);
        Assert.Equal((1, 100), (all.GetProperty("page").GetInt32(), all.GetProperty("pageSize").GetInt32()));

        foreach (var bad in new[] { "page=0", "page=-1", "page=x", "page=", "pageSize=0", "pageSize=101", "pageSize=1.5", "page=1&page=2", "category=", "category=%20kitchen" })
        {
            var refused = await ListAsync(bad);
            Assert.Equal((HttpStatusCode.BadRequest, "validation_failed"), (refused.Status, refused.Body.GetProperty("code").GetString()));
        }
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> ListAsync(string query)
    {
        using var response = await node.Http.GetAsync($"/api/v1/products?{query}");
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>The list lags the entities by the projection lag: asks again until it shows what the test wrote.</summary>
    private async Task<JsonElement> ListUntilAsync(string query, Func<JsonElement, bool> shows)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var (status, body) = await ListAsync(query);
            Assert.Equal(HttpStatusCode.OK, status);
            if (shows(body) || DateTime.UtcNow > deadline)
            {
                return body;
            }
            await Task.Delay(100);
        }
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, object body, string? to = null)
    {
        using var request = new HttpRequestMessage(method, $"/api/v1/products/{to ?? sku}") { Content = JsonContent.Create(body) };
        using var response = await node.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }
}
