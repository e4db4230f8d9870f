using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cohort.Node.Tests.Support;

namespace Cohort.Node.Tests.Http;

/// <summary>
/// The cart routes of a real node: PUT replaces the lines, GET reads the entity (empty for a new account), DELETE
/// empties it with its request id in the query, and malformed requests are refused before the entity sees them.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class CartEndpointTests(PlainNodeFixture node) : IClassFixture<PlainNodeFixture>
{
    private readonly string accountId = $"alice-{Guid.NewGuid():N}"[..20];

    private string Path => $"/api/v1/accounts/{accountId}/cart";

    [Fact]
    public async Task A_put_replaces_the_lines_a_get_reads_them_and_a_delete_empties_the_cart()
    {
        Assert.Equal($$"""{"accountId":"{{accountId}}","lines":[]}""", (await GetAsync()).GetRawText());

        var set = await SendAsync(HttpMethod.Put, Path, new { requestId = "c-1", lines = new[] { new { sku = "mug-1", quantity = 2 }, new { sku = "cup-1", quantity = 1 } } });
        Assert.Equal(HttpStatusCode.OK, set.Status);
        Assert.Equal($$"""{"requestId":"c-1","seqNr":1,"accountId":"{{accountId}}","lines":[{"sku":"cup-1","quantity":1},{"sku":"mug-1","quantity":2}]}""",
            set.Body.GetRawText());
        Assert.Equal($$"""{"accountId":"{{accountId}}","lines":[{"sku":"cup-1","quantity":1},{"sku":"mug-1","quantity":2}]}""", (await GetAsync()).GetRawText());

        var replaced = await SendAsync(HttpMethod.Put, Path, new { requestId = "c-2", lines = new[] { new { sku = "plate-1", quantity = 10000 } } });
        Assert.Equal(HttpStatusCode.OK, replaced.Status);
        Assert.Equal($$"""{"accountId":"{{accountId}}","lines":[{"sku":"plate-1","quantity":10000}]}""", (await GetAsync()).GetRawText());

        var cleared = await SendAsync(HttpMethod.Delete, $"{Path}?requestId=c-3");
        Assert.Equal(HttpStatusCode.OK, cleared.Status);
        Assert.Equal($$"""{"requestId":"c-3","seqNr":3,"accountId":"{{accountId}}","lines":[]}""", cleared.Body.GetRawText());
        Assert.Equal($$"""{"accountId":"{{accountId}}","lines":[]}""", (await GetAsync()).GetRawText());

        // A request id answers its first answer; another command under it conflicts.
        Assert.Equal(set.Body.GetRawText(),
            (await SendAsync(HttpMethod.Put, Path, new { requestId = "c-1", lines = new[] { new { sku = "cup-1", quantity = 1 }, new { sku = "mug-1", quantity = 2 } } })).Body.GetRawText());
        var reused = await SendAsync(HttpMethod.Delete, $"{Path}?requestId=c-1");
        Assert.Equal((HttpStatusCode.Conflict, "idempotency_conflict"), (reused.Status, reused.Body.GetProperty("code").GetString()));

        // The cluster view lists the cart region with the others, from the registered modules.
        Assert.NotEmpty((await ClusterInfo.ReadAsync(node.Http)).ShardHomes("cart"));
    }

    public static TheoryData<string, string> InvalidPuts() => new()
    {
        { """{"requestId":"c-1","lines":[{"sku":"mug 1","quantity":1}]}""", "sku must be" },
        { """{"requestId":"c-1","lines":[{"sku":"mug-1","quantity":0}]}""", "quantity of 0 is not a line" },
        { """{"requestId":"c-1","lines":[{"sku":"mug-1","quantity":-2}]}""", "quantity must be a whole number from 1 to 10000" },
        { """{"requestId":"c-1","lines":[{"sku":"mug-1","quantity":10001}]}""", "quantity must be a whole number from 1 to 10000" },
        { """{"requestId":"c-1","lines":[{"sku":"mug-1","quantity":"2"}]}""", "quantity must be a whole JSON number" },
        { """{"requestId":"c-1","lines":[{"sku":"mug-1","quantity":1},{"sku":"mug-1","quantity":2}]}""", "'mug-1' is on two lines" },
        { $$"""{"requestId":"c-1","lines":[{{string.Join(",", Enumerable.Range(0, 101).Select(i => $$"""{"sku":"s{{i}}","quantity":1}"""))}}]}""", "at most 100 lines" },
        { """{"lines":[{"sku":"mug-1","quantity":1}]}""", "requestId is required" },
        { """{"requestId":"c-1"}""", "lines is required" },
        { """[]""", "must be a JSON object" },
    };

    [Theory]
    [MemberData(nameof(InvalidPuts))]
    public async Task An_invalid_put_is_refused_and_changes_nothing(string body, string reason)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, Path) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        using var response = await node.Http.SendAsync(request);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((HttpStatusCode.BadRequest, "validation_failed"), (response.StatusCode, problem.GetProperty("code").GetString()));
        Assert.Contains(reason, problem.GetProperty("detail").GetString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty((await GetAsync()).GetProperty("lines").EnumerateArray());
    }

    [Theory]
    [InlineData("", "requestId is required")]
    [InlineData("?requestId=", "requestId is required")]
    [InlineData("?requestId=a%20b", "requestId is required")]
    [InlineData("?requestId=c-1&requestId=c-2", "give requestId once")]
    public async Task A_delete_needs_one_valid_request_id_in_its_query(string query, string reason)
    {
        var refused = await SendAsync(HttpMethod.Delete, $"{Path}{query}");
        Assert.Equal((HttpStatusCode.BadRequest, "validation_failed"), (refused.Status, refused.Body.GetProperty("code").GetString()));
        Assert.Contains(reason, refused.Body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_account_id_that_is_not_an_identifier_is_refused()
    {
        using var response = await node.Http.GetAsync("/api/v1/accounts/a%20b/cart");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private async Task<JsonElement> GetAsync()
    {
        using var response = await node.Http.GetAsync(Path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await node.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }
}
