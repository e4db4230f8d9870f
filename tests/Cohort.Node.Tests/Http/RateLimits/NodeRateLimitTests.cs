using System.Net;
using System.Text.Json;
using Cohort.Node.Tests.Support;

namespace Cohort.Node.Tests.Http.RateLimits;

/// <summary>A node that takes 20 <c>/api/</c> requests a second.</summary>
public sealed class RateLimitedNodeFixture : SingleNodeFixture
{
    public const int PerSecond = 20;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Cohort:RateLimits:PerNodePerSecond"] = PerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// The node's request limit on a real node: a burst over it gets <c>429 rate_limited</c> problems with
/// <c>Retry-After</c>, while health and metrics are never limited.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class NodeRateLimitTests(RateLimitedNodeFixture node) : IClassFixture<RateLimitedNodeFixture>
{
    private const int Burst = 100;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_burst_over_the_node_limit_gets_429_with_retry_after_and_health_never_does()
    {
        // A burst normally lands within a second or two; bursts repeat until one is refused in part, so a starved
        // machine that spreads one burst over many seconds only takes longer.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        List<(HttpStatusCode Status, string? RetryAfter, string? ContentType, string Body)> api;
        List<HttpStatusCode> unlimited;
        do
        {
            var apiCalls = Enumerable.Range(0, Burst).Select(_ => SendAsync("/api/v1/products/no-such-sku")).ToList();
            var unlimitedCalls = Enumerable.Range(0, Burst / 2)
                .Select(i => SendAsync(i % 2 == 0 ? "/health/live" : "/metrics")).ToList();
            api = [.. await Task.WhenAll(apiCalls)];
            unlimited = [.. (await Task.WhenAll(unlimitedCalls)).Select(r => r.Status)];
            Assert.All(unlimited, status => Assert.Equal(HttpStatusCode.OK, status));
        }
        while (api.All(r => r.Status != HttpStatusCode.TooManyRequests) && clock.Elapsed < Deadline);

        var refused = api.Where(r => r.Status == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(refused);
        Assert.All(api, r => Assert.Contains(r.Status, new[] { HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests }));
        foreach (var (_, retryAfter, contentType, body) in refused)
        {
            Assert.True(long.TryParse(retryAfter, out var seconds) && seconds >= 1, $"Retry-After '{retryAfter}'");
            Assert.Equal("application/problem+json", contentType);
            using var problem = JsonDocument.Parse(body);
            Assert.Equal("rate_limited", problem.RootElement.GetProperty("code").GetString());
            Assert.Equal(429, problem.RootElement.GetProperty("status").GetInt32());
        }
    }

    private async Task<(HttpStatusCode Status, string? RetryAfter, string? ContentType, string Body)> SendAsync(string path)
    {
        using var response = await node.Http.GetAsync(path);
        return (response.StatusCode, response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }
}
