using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Orders;
using Cohort.Cluster.Entities.Stock;
using Cohort.Domain.Stock;

namespace Cohort.Cluster.Tests.Support;

/// <summary>Products and orders through a node's entities, as HTTP drives them: each call returns the entity's answer.</summary>
internal static class NodeShop
{
    private static readonly OrderOptions Orders = new();

    public static Task<object> RestockAsync(this InProcessNode node, string sku, string requestId, decimal price, string asset, long units) =>
        node.AskAsync(node.Registry.Get<StockRegion>(), StockCommandParser.Envelope(sku, requestId, new Restock("Mug", price, asset, units, null)));

    /// <summary>Places an order (its id is its request id) and returns the answer once its units are reserved, or why not.</summary>
    public static async Task<object> PlaceOrderAsync(this InProcessNode node, string orderId, string accountId, string sku, long quantity)
    {
        var place = OrderCommandParser.Place(orderId, orderId, accountId, sku, quantity, flashSale: false, Orders, DateTime.UtcNow).Message!;
        var placed = await node.AskAsync(Region(node), place);
        return placed is OrderAccepted ? await node.AskAsync(Region(node), new AwaitReservation(orderId, orderId)) : placed;
    }

    public static Task<object> PayOrderAsync(this InProcessNode node, string orderId, string requestId) =>
        node.AskAsync(Region(node), new PayOrderRequest(orderId, requestId));

    public static Task<object> CancelOrderAsync(this InProcessNode node, string orderId) =>
        node.AskAsync(Region(node), new CancelOrderRequest(orderId, $"{orderId}-cancel"));

    public static async Task<OrderView> OrderAsync(this InProcessNode node, string orderId) =>
        Assert.IsType<OrderView>(await node.AskAsync(Region(node), new GetOrder(orderId)));

    public static async Task<StockView> ProductAsync(this InProcessNode node, string sku) =>
        Assert.IsType<StockView>(await node.AskAsync(node.Registry.Get<StockRegion>(), new GetStock(sku)));

    private static Akka.Actor.IActorRef Region(InProcessNode node) => node.Registry.Get<OrderRegion>();
}
