using System.Text.Json;
using Cohort.Cluster.Persistence;
using Cohort.Domain;
using Cohort.Domain.Orders;

namespace Cohort.Cluster.Entities.Orders;

/// <summary>Places an order; answered once the order is journaled, still reserving its units.</summary>
public sealed record OrderCommandEnvelope(string OrderId, string RequestId, RequestHash Hash, PlaceOrder Command) : IShardedMessage, ICohortMessage
{
    public string EntityId => OrderId;
}

/// <summary>The buyer pays the order; answered with the paid order, or rejected (insufficient funds, closed...).</summary>
public sealed record PayOrderRequest(string OrderId, string RequestId) : IShardedMessage, ICohortMessage
{
    public string EntityId => OrderId;
}

/// <summary>The buyer cancels the order; answered once its units are back in stock, or rejected (paid, being paid...).</summary>
public sealed record CancelOrderRequest(string OrderId, string RequestId) : IShardedMessage, ICohortMessage
{
    public string EntityId => OrderId;
}

/// <summary>Answered with the order once its units are reserved, or rejected with why they could not be.</summary>
public sealed record AwaitReservation(string OrderId, string RequestId) : IShardedMessage, ICohortMessage
{
    public string EntityId => OrderId;
}

/// <summary>Asks an order how it stands, as its journal holds it.</summary>
public sealed record GetOrder(string OrderId) : IShardedMessage, ICohortMessage
{
    public string EntityId => OrderId;
}

/// <summary>
/// From the order keeper: wakes the order (its recovery sends the step it waits on again) and expires it if its
/// deadline passed. Nobody waits for an answer.
/// </summary>
public sealed record CheckOrder(string OrderId) : IShardedMessage, ICohortMessage
{
    public string EntityId => OrderId;
}

/// <summary>An order as clients see it; <see cref="Status"/> is "none" for an id never placed.</summary>
public sealed record OrderView(
    string OrderId, string AccountId, string Sku, long Quantity, string Status, string Asset, decimal Price, decimal Amount,
    DateTime PlacedAt, DateTime Deadline, string? Reason) : ICohortMessage
{
    public bool Exists => Status != "none";

    public static OrderView Of(OrderState s) => new(s.OrderId, s.Terms.AccountId, s.Terms.Sku, s.Terms.Quantity,
        OrderStatusNames.Of(s.Status), s.Asset, s.Price, s.Amount, s.PlacedAt, s.Deadline, s.Reason);

    /// <summary>The order's JSON properties; price and amount are null until the units are reserved.</summary>
    public void WriteProperties(Utf8JsonWriter w)
    {
        w.WriteString("orderId", OrderId);
        w.WriteString("accountId", AccountId);
        w.WriteString("sku", Sku);
        w.WriteNumber("quantity", Quantity);
        w.WriteString("status", Status);
        if (Price > 0m)
        {
            w.WriteString("asset", Asset);
            w.WriteString("price", Domain.Amount.Format(Price));
            w.WriteString("amount", Domain.Amount.Format(Amount));
        }
        else
        {
            w.WriteNull("asset");
            w.WriteNull("price");
            w.WriteNull("amount");
        }
        w.WriteString("placedAt", PlacedAt);
        w.WriteString("deadline", Deadline);
        w.WriteString("reason", Reason);
    }
}

/// <summary>An accepted order command: the order right after it.</summary>
public sealed record OrderAccepted(string RequestId, OrderView Order) : CommandAccepted(RequestId)
{
    public override void WriteBody(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("requestId", RequestId);
        Order.WriteProperties(w);
        w.WriteEndObject();
    }
}

/// <summary>The order's timer: send the step it waits on again, in case it or its answer was lost; or its deadline came.</summary>
internal sealed record OrderTimer(bool Deadline)
{
    public static readonly OrderTimer Step = new(false);

    public static readonly OrderTimer Due = new(true);
}

/// <summary>One order event as the journal holds it.</summary>
public sealed record OrderRecord(Stamp Stamp, OrderEvent Event) : IEventRecord<OrderEvent>;

public sealed record OrderSnapshot(OrderState State, LoggedRequest[] Requests) : ICohortMessage;
