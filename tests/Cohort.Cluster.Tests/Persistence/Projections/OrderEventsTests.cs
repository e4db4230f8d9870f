using System.Text.Json;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Entities.Orders;
using Cohort.Cluster.Entities.Stock;
using Cohort.Cluster.Kafka;
using Cohort.Cluster.Tests.Support;
using Cohort.Domain.Accounts;
using Xunit.Abstractions;

namespace Cohort.Cluster.Tests.Persistence.Projections;

/// <summary>The order events on <c>cohort.events.order</c>, checked against the order's journal.</summary>
[Collection(InProcessNodeCollection.Name)]
public sealed class OrderEventsTests(OrderEventsTests.Node fixture, ITestOutputHelper output) : IClassFixture<OrderEventsTests.Node>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public sealed class Node() : InProcessNodeFixture("order-events");

    [Fact]
    public async Task Every_order_event_reaches_kafka_in_journal_order_with_the_status_after_it()
    {
        output.WriteLine($"node log: {fixture.Node.LogPath}");
        var node = fixture.Node;
        var run = NodeIds.Run();
        var (sku, buyer, paid, cancelled) = ($"sku-{run}", $"buyer-{run}", $"paid-{run}", $"cancelled-{run}");
        var asset = NodeIds.Asset("E");
        Assert.IsType<StockCommandAccepted>(await node.RestockAsync(sku, "r-1", 4.20m, asset, 10));
        Assert.IsType<AccountCommandAccepted>(await node.AccountAsync(buyer, "d-1", new Deposit(asset, 100m)));

        Assert.Equal("awaiting_payment", Assert.IsType<OrderAccepted>(await node.PlaceOrderAsync(paid, buyer, sku, 3)).Order.Status);
        Assert.Equal("paid", Assert.IsType<OrderAccepted>(await node.PayOrderAsync(paid, $"{paid}-pay")).Order.Status);
        Assert.Equal("awaiting_payment", Assert.IsType<OrderAccepted>(await node.PlaceOrderAsync(cancelled, buyer, sku, 1)).Order.Status);
        Assert.Equal("cancelled", Assert.IsType<OrderAccepted>(await node.CancelOrderAsync(cancelled)).Order.Status);
        await fixture.Database.WaitForProjectionsAsync(Timeout, "order-events");

        var events = await PublishedAsync(paid);
        Assert.Equal(
            [("placed", "reserving"), ("reserved", "awaiting_payment"), ("paymentStarted", "paying"), ("fundsFrozen", "paying"),
                ("unitsSold", "paying"), ("paid", "paid")],
            events.Select(e => (Text(e, "type"), Text(e, "status"))));
        var placed = events[0];
        Assert.Equal((paid, buyer, sku, 3L), (Text(placed, "orderId"), Text(placed, "accountId"), Text(placed, "sku"), placed.GetProperty("quantity").GetInt64()));
        Assert.True(placed.GetProperty("deadline").GetDateTime() > placed.GetProperty("placedAt").GetDateTime());
        Assert.Equal(("4.20", asset), (Text(events[1], "price"), Text(events[1], "asset")));
        Assert.Equal(1, events[2].GetProperty("attempt").GetInt32());
        // The buyer's request id answers the buyer; the order journals each payment under an id of its own.
        Assert.Equal(OrderSteps.Pay(paid, 1), Text(events[2], "requestId"));

        var closed = await PublishedAsync(cancelled);
        Assert.Equal(
            [("placed", "reserving", null), ("reserved", "awaiting_payment", null), ("releaseStarted", "releasing", "cancelled"), ("closed", "cancelled", null)],
            closed.Select(e => (Text(e, "type"), Text(e, "status"), e.TryGetProperty("reason", out var r) ? r.GetString() : null)));
    }

    /// <summary>
    /// The order's events on the topic: exactly its event records of the journal, in their order, with their
    /// sequence numbers, request ids and times.
    /// </summary>
    private async Task<IReadOnlyList<JsonElement>> PublishedAsync(string orderId)
    {
        var published = fixture.Kafka.ReadToEnd(CohortTopics.Events(OrderRegion.TypeName))
            .Where(m => m.Message.Key == orderId)
            .Select(m => JsonDocument.Parse(m.Message.Value).RootElement)
            .ToList();
        var records = (await fixture.Database.JournalAsync([PersistenceIds.Of(OrderRegion.TypeName, orderId)]))
            .Where(r => r.Manifest.StartsWith("order.", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(records.Select(r => (r.SeqNr, r.Manifest, r.Text("requestId"), r.Payload.GetProperty("at").GetDateTime())),
            published.Select(e => (e.GetProperty("seqNr").GetInt64(), OrderFormats.RecordManifest(Text(e, "type")), Text(e, "requestId"),
                e.GetProperty("at").GetDateTime())));
        Assert.All(published, e => Assert.Equal(orderId, Text(e, "orderId")));
        return published;
    }

    private static string Text(JsonElement e, string property) => e.GetProperty(property).GetString()!;
}
