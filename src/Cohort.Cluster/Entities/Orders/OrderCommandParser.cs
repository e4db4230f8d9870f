using System.Text.Json;
using Cohort.Cluster.Persistence;
using Cohort.Domain;
using Cohort.Domain.Orders;

namespace Cohort.Cluster.Entities.Orders;

/// <summary>
/// Reads order commands from Kafka, <c>{"type":"place","requestId":"o-1","accountId":"alice","sku":"mug-1","quantity":2}</c>,
/// <c>{"type":"pay","requestId":"p-1","orderId":"o-1"}</c>, <c>{"type":"cancel",...}</c> and a flash-sale
/// <c>{"type":"purchase","requestId":"buy-1","accountId":"alice","sku":"mug-1"}</c>, and the same fields of HTTP bodies.
/// A placed order's id is its request id; a purchase's is its account's and SKU's (<see cref="FlashSaleOrders.IdOf"/>).
/// </summary>
public static class OrderCommandParser
{
    public const string Types = "place, pay, cancel, purchase";

    public static Parsed<IShardedMessage> Parse(ReadOnlySpan<byte> json, OrderOptions options, DateTime now) => CommandJson.Parse(json, body =>
    {
        var requestId = String(body, "requestId");
        return String(body, "type") switch
        {
            "place" => Widen(ReadPlace(body, options, now)),
            "pay" => Buyer(requestId, String(body, "orderId"), (order, id) => new PayOrderRequest(order, id)),
            "cancel" => Buyer(requestId, String(body, "orderId"), (order, id) => new CancelOrderRequest(order, id)),
            "purchase" => Widen(Purchase(requestId, String(body, "accountId"), String(body, "sku"), options, now)),
            var type => Parsed<IShardedMessage>.Invalid($"type '{type}' is not an order command ({Types})"),
        };
    });

    /// <summary>An order from <c>{"requestId","accountId","sku","quantity"}</c>, due to be paid <see cref="OrderOptions.PaymentTimeout"/> after <paramref name="now"/>.</summary>
    public static Parsed<OrderCommandEnvelope> ReadPlace(JsonElement body, OrderOptions options, DateTime now)
    {
        var requestId = String(body, "requestId");
        if (!Identifier.IsValid(requestId))
        {
            return Parsed<OrderCommandEnvelope>.Invalid($"requestId is required: 1-{Identifier.MaxLength} characters of letters, digits and -_.:@; it becomes the order's id");
        }
        if (!body.TryGetProperty("quantity", out var q) || q.ValueKind != JsonValueKind.Number || !q.TryGetInt64(out var quantity))
        {
            return Parsed<OrderCommandEnvelope>.Invalid(OrderRules.QuantityRule);
        }
        return Place(requestId!, requestId!, String(body, "accountId"), String(body, "sku"), quantity, flashSale: false, options, now);
    }

    /// <summary>
    /// A flash-sale purchase: one unit, as the HTTP route places it, under the one order id its account may have for
    /// its SKU, so a second purchase is the same order and is refused by it.
    /// </summary>
    public static Parsed<OrderCommandEnvelope> Purchase(string? requestId, string? accountId, string? sku, OrderOptions options, DateTime now)
    {
        if (!Identifier.IsValid(requestId) || !Identifier.IsValid(accountId) || !Identifier.IsValid(sku))
        {
            return Parsed<OrderCommandEnvelope>.Invalid($"requestId, accountId and sku are required: 1-{Identifier.MaxLength} characters of letters, digits and -_.:@");
        }
        return Place(FlashSaleOrders.IdOf(sku!, accountId!), requestId!, accountId, sku, 1, flashSale: true, options, now);
    }

    /// <summary>An order with its terms checked; its hash is taken from its terms, not from when it was placed.</summary>
    public static Parsed<OrderCommandEnvelope> Place(
        string orderId, string requestId, string? accountId, string? sku, long quantity, bool flashSale, OrderOptions options, DateTime now)
    {
        if (!Identifier.IsValid(orderId) || !Identifier.IsValid(requestId))
        {
            return Parsed<OrderCommandEnvelope>.Invalid($"the order id and request id must be 1-{Identifier.MaxLength} characters of letters, digits and -_.:@");
        }
        if (!Identifier.IsValid(accountId) || !Identifier.IsValid(sku))
        {
            return Parsed<OrderCommandEnvelope>.Invalid($"accountId and sku are required: 1-{Identifier.MaxLength} characters of letters, digits and -_.:@");
        }
        if (quantity is < 1 or > OrderRules.MaxQuantity)
        {
            return Parsed<OrderCommandEnvelope>.Invalid(OrderRules.QuantityRule);
        }
        var terms = new OrderTerms(accountId!, sku!, quantity);
        var hash = RequestHash.Of($"place\n{terms.AccountId}\n{terms.Sku}\n{terms.Quantity}\n{flashSale}");
        return Parsed<OrderCommandEnvelope>.Valid(new OrderCommandEnvelope(orderId, requestId, hash,
            new PlaceOrder(terms, now, now + options.PaymentTimeout, flashSale)));
    }

    /// <summary>A pay or cancel of <paramref name="orderId"/>; its request id is optional over HTTP, where the route names the order.</summary>
    public static Parsed<IShardedMessage> Buyer(string? requestId, string? orderId, Func<string, string, IShardedMessage> create)
    {
        if (!Identifier.IsValid(orderId))
        {
            return Parsed<IShardedMessage>.Invalid($"orderId is required: 1-{Identifier.MaxLength} characters of letters, digits and -_.:@");
        }
        if (requestId is not null && !Identifier.IsValid(requestId))
        {
            return Parsed<IShardedMessage>.Invalid($"requestId must be 1-{Identifier.MaxLength} characters of letters, digits and -_.:@");
        }
        return Parsed<IShardedMessage>.Valid(create(orderId!, requestId ?? orderId!));
    }

    private static Parsed<IShardedMessage> Widen(Parsed<OrderCommandEnvelope> parsed) => new(parsed.Message, parsed.Error);

    private static string? String(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
