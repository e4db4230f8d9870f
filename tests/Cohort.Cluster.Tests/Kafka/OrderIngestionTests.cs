using System.Text;
using System.Text.Json;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Entities.Orders;
using Cohort.Cluster.Entities.Stock;
using Cohort.Cluster.FlashSales;
using Cohort.Cluster.Kafka;
using Cohort.Cluster.Tests.Support;
using Cohort.Domain.Accounts;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Cohort.Cluster.Tests.Kafka;

/// <summary>
/// Order commands arrive on <c>cohort.commands.order</c> through the module's parser: an order placed over Kafka is
/// answered on the reply topic, and paid over Kafka it sells its units and spends the buyer's funds; a flash-sale
/// purchase places its one-unit order, and once the product is sold out is answered from the node's sold-out board.
/// </summary>
[Collection(InProcessNodeCollection.Name)]
public sealed class OrderIngestionTests(OrderIngestionTests.Node fixture, ITestOutputHelper output) : IClassFixture<OrderIngestionTests.Node>
{
    private static readonly string Topic = CohortTopics.Commands(OrderRegion.TypeName);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public sealed class Node() : InProcessNodeFixture("order-ingestion");

    [Fact]
    public async Task An_order_placed_and_paid_over_kafka_is_answered_and_sells_its_units()
    {
        output.WriteLine($"node log: {fixture.Node.LogPath}");
        var node = fixture.Node;
        var run = NodeIds.Run();
        var (sku, buyer, orderId) = ($"sku-{run}", $"buyer-{run}", $"order-{run}");
        var asset = NodeIds.Asset("O");
        Assert.IsType<StockCommandAccepted>(await node.RestockAsync(sku, "r-1", 12.50m, asset, 10));
        Assert.IsType<AccountCommandAccepted>(await node.AccountAsync(buyer, "d-1", new Deposit(asset, 100m)));
        var replies = fixture.CreateTopic("cohort.test.order-replies", 1);

        var placed = await SendAsync(replies, $"{orderId}:place",
            $$"""{"type":"place","requestId":"{{orderId}}","accountId":"{{buyer}}","sku":"{{sku}}","quantity":2}""");
        Assert.True(placed.GetProperty("ok").GetBoolean(), placed.ToString());
        var order = placed.GetProperty("body");
        Assert.Equal((orderId, buyer, sku, 2L), (order.GetProperty("orderId").GetString(), order.GetProperty("accountId").GetString(),
            order.GetProperty("sku").GetString(), order.GetProperty("quantity").GetInt64()));
        // A place is answered once the order is journaled; it reserves its units after.
        await NodeWait.UntilAsync(() => node.OrderAsync(orderId), o => o.Status == "awaiting_payment", Timeout, o => $"order is {o.Status}");

        var paid = await SendAsync(replies, $"{orderId}:pay", $$"""{"type":"pay","requestId":"{{orderId}}-pay","orderId":"{{orderId}}"}""");
        Assert.True(paid.GetProperty("ok").GetBoolean(), paid.ToString());
        Assert.Equal(("paid", "25.00"), (paid.GetProperty("body").GetProperty("status").GetString(), paid.GetProperty("body").GetProperty("amount").GetString()));

        var product = await node.ProductAsync(sku);
        Assert.Equal((8L, 0L, 2L), (product.Available, product.Reserved, product.Sold));
        var account = Assert.IsType<AccountBalances>(await node.AskAsync(node.Accounts, new GetAccount(buyer)));
        Assert.Equal(new AssetBalanceView(asset, 75m, 0m), Assert.Single(account.Balances));

        var unknown = await SendAsync(replies, $"{orderId}:refund", $$"""{"type":"refund","requestId":"x","orderId":"{{orderId}}"}""");
        Assert.Equal("validation_failed", unknown.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_purchase_over_kafka_places_a_flash_sale_order_and_once_sold_out_is_answered_from_the_board()
    {
        output.WriteLine($"node log: {fixture.Node.LogPath}");
        var node = fixture.Node;
        var run = NodeIds.Run();
        var (sku, first, second) = ($"flash-{run}", $"first-{run}", $"second-{run}");
        Assert.IsType<StockCommandAccepted>(await node.RestockAsync(sku, "r-1", 5m, NodeIds.Asset("F"), 1));
        var replies = fixture.CreateTopic("cohort.test.purchase-replies", 1);

        var bought = await SendAsync(replies, $"{first}:buy", $$"""{"type":"purchase","requestId":"buy-{{run}}","accountId":"{{first}}","sku":"{{sku}}"}""");
        Assert.True(bought.GetProperty("ok").GetBoolean(), bought.ToString());
        Assert.Equal((FlashSaleOrders.IdOf(sku, first), 1L),
            (bought.GetProperty("body").GetProperty("orderId").GetString(), bought.GetProperty("body").GetProperty("quantity").GetInt64()));

        // The last unit reserved, the stock publishes the product as sold out, and the board hears of it.
        var board = node.Services.GetRequiredService<SoldOutBoard>();
        await NodeWait.UntilAsync(() => board.IsSoldOut(sku), Timeout, () => $"{sku} never on the sold-out board");
        var late = await SendAsync(replies, $"{second}:buy", $$"""{"type":"purchase","requestId":"late-{{run}}","accountId":"{{second}}","sku":"{{sku}}"}""");
        Assert.Equal((false, "sold_out"), (late.GetProperty("ok").GetBoolean(), late.GetProperty("code").GetString()));
    }

    /// <summary>Sends one command with reply headers and returns its answer from the reply topic.</summary>
    private async Task<JsonElement> SendAsync(string replies, string correlationId, string json)
    {
        await fixture.Kafka.ProduceAsync(Topic, null, Encoding.UTF8.GetBytes(json), new Dictionary<string, string>
        {
            [CohortHeaders.ReplyTo] = replies,
            [CohortHeaders.CorrelationId] = correlationId,
        });
        var answers = await NodeWait.UntilAsync(
            () => Task.Run(() => fixture.Kafka.ReadToEnd(replies).Where(m => m.Message.Key == correlationId).ToList()),
            r => r.Count > 0,
            Timeout,
            _ => $"no answer to {correlationId} on {replies}; node log {fixture.Node.LogPath}");
        return JsonDocument.Parse(Assert.Single(answers).Message.Value).RootElement;
    }
}
