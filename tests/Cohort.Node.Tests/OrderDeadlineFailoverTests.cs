using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cohort.Node.Tests.Support;
using Xunit.Abstractions;

namespace Cohort.Node.Tests;

/// <summary>
/// The payment deadline is durable: orders awaiting payment on a node killed with SIGKILL before their deadline still
/// expire, with no request touching them, and every unit they held comes back to the product.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class OrderDeadlineFailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Orders = 30;
    private const int UnitsPerOrder = 2;
    private static readonly TimeSpan PaymentTimeout = TimeSpan.FromSeconds(15);

    private readonly TestLog log = new(output);
    private TestCluster cluster = null!;

    public async Task InitializeAsync() => cluster = await TestCluster.StartAsync("order-deadline", log, settings: new Dictionary<string, string>
    {
        ["Cohort:Orders:PaymentTimeout"] = PaymentTimeout.ToString("c"),
        ["Cohort:Orders:KeeperInterval"] = "00:00:01",
        ["Cohort:Orders:StepMargin"] = "00:00:03",
    });

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task Orders_on_a_node_killed_before_their_deadline_expire_and_give_their_units_back()
    {
        try
        {
            await ExpireAfterKillAsync();
        }
        catch
        {
            cluster.DumpLogs();
            throw;
        }
    }

    private async Task ExpireAfterKillAsync()
    {
        var runId = Guid.NewGuid().ToString("N")[..8];
        var sku = $"deadline-{runId}";
        var restock = await UntilFinal.SendAsync(cluster.Nodes[0].Http, HttpMethod.Put, $"/api/v1/products/{sku}",
            new { requestId = "stock-1", name = "Lamp", price = "5", asset = "EUR", addStock = Orders * UnitsPerOrder });
        Assert.Equal(200, restock.Status);
        var orderIds = Enumerable.Range(0, Orders).Select(i => $"dl-{runId}-{i}").ToList();
        var placedAt = Stopwatch.StartNew();
        for (var i = 0; i < Orders; i++)
        {
            var node = cluster.Nodes[i % cluster.Nodes.Count];
            var (status, body) = await UntilFinal.SendAsync(node.Http, HttpMethod.Post, "/api/v1/orders",
                new { requestId = orderIds[i], accountId = $"buyer-{runId}-{i}", sku, quantity = UnitsPerOrder });
            Assert.True(status == 200, $"order {orderIds[i]}: {status} {body}");
            Assert.Equal("awaiting_payment", body.GetProperty("status").GetString());
        }

        // The victim holds some of the orders, and not the singletons, so the order keeper keeps running on a survivor.
        var view = await ClusterInfo.ReadAsync(cluster.Nodes[0].Http);
        var homes = view.ShardHomes("order");
        var victim = cluster.Nodes.Where(n => n.NodeId != view.Singleton!.NodeId)
            .OrderByDescending(n => orderIds.Count(id => homes.GetValueOrDefault(Shards.Of(id)) == n.NodeId)).First();
        var victimOrders = orderIds.Where(id => homes.GetValueOrDefault(Shards.Of(id)) == victim.NodeId).ToList();
        Assert.NotEmpty(victimOrders);
        Assert.True(placedAt.Elapsed < PaymentTimeout, $"placing the orders took {placedAt.Elapsed}, past their deadline");
        victim.Kill();
        log.Write($"SIGKILL {victim.NodeId} {placedAt.Elapsed.TotalSeconds:0.0} s after the first order; it held {victimOrders.Count} of {Orders} orders");

        var survivor = cluster.Nodes.First(n => n != victim);
        var deadline = Stopwatch.StartNew();
        var statuses = new Dictionary<string, string?>();
        while (true)
        {
            foreach (var id in orderIds.Where(id => statuses.GetValueOrDefault(id) != "expired"))
            {
                using var response = await survivor.Http.GetAsync($"/api/v1/orders/{id}");
                statuses[id] = response.StatusCode == HttpStatusCode.OK
                    ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString()
                    : $"{(int)response.StatusCode}";
            }
            if (statuses.Values.All(s => s == "expired"))
            {
                break;
            }
            Assert.True(deadline.Elapsed < PaymentTimeout + TimeSpan.FromSeconds(90),
                $"not every order expired: {string.Join(", ", statuses.Where(s => s.Value != "expired").Select(s => $"{s.Key}={s.Value}"))}");
            await Task.Delay(500);
        }
        log.Write($"all {Orders} orders expired {placedAt.Elapsed.TotalSeconds:0.0} s after the first was placed");

        // The last releases may still be on their way to the product.
        var units = await ProductUnits.WaitAsync(survivor.Http, sku, u => u.Reserved == 0, TimeSpan.FromSeconds(60));
        Assert.Equal(((long)Orders * UnitsPerOrder, 0L, 0L), units);
    }
}
