using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cohort.Node.Tests.Support;

namespace Cohort.Node.Tests.Http;

/// <summary>The product routes of a real node: PUT creates and restocks, GET reads the entity, PATCH changes details.</summary>
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

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, object body)
    {
        using var request = new HttpRequestMessage(method, $"/api/v1/products/{sku}") { Content = JsonContent.Create(body) };
        using var response = await node.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }
}
