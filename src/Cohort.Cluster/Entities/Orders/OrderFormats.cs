using System.Text.Json;
using Cohort.Cluster.Persistence;
using Cohort.Domain.Orders;

namespace Cohort.Cluster.Entities.Orders;

/// <summary>
/// The order's JSON forms. Journal records are stored under <c>order.&lt;event&gt;.v1</c>:
/// <c>{"requestId","hash","at", the event's fields}</c>; amounts are decimal strings, units JSON numbers.
/// </summary>
public static class OrderFormats
{
    private static readonly string[] EventNames =
        ["placed", "reserved", "rejected", "paymentStarted", "paymentRefused", "fundsFrozen", "unitsSold", "paid", "saleRefused", "releaseStarted", "closed", "failed"];

    public static string EventName(OrderEvent e) => e switch
    {
        OrderPlaced => "placed",
        OrderReserved => "reserved",
        OrderRejected => "rejected",
        PaymentStarted => "paymentStarted",
        PaymentRefused => "paymentRefused",
        FundsFrozen => "fundsFrozen",
        UnitsSold => "unitsSold",
        OrderPaid => "paid",
        SaleRefused => "saleRefused",
        ReleaseStarted => "releaseStarted",
        OrderClosed => "closed",
        OrderFailed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(e), e, "unknown order event"),
    };

    public static string RecordManifest(string eventName) => $"order.{eventName}.v1";

    public static void Register(MessageFormats formats) => formats
        .Add<OrderRecord>(r => RecordManifest(EventName(r.Event)), WriteRecord,
            EventNames.Select(name => (RecordManifest(name), (Func<JsonElement, OrderRecord>)(e => ReadRecord(name, e)))).ToArray())
        .Add<OrderSnapshot>("order.snapshot.v1", (w, s) =>
        {
            w.WriteStartObject();
            WriteState(w, s.State);
            EntityFormats.WriteRequests(w, formats, s.Requests);
            w.WriteEndObject();
        }, e => new OrderSnapshot(ReadState(e), EntityFormats.ReadRequests(e, formats)))
        .Add<OrderAccepted>("order.accepted.v1", (w, a) => a.WriteBody(w), e => new OrderAccepted(e.String("requestId"), ReadView(e)))
        .Add<OrderCommandEnvelope>("order.command.v1", (w, c) =>
        {
            w.WriteStartObject();
            w.WriteString("orderId", c.OrderId);
            w.WriteString("requestId", c.RequestId);
            w.WriteString("hash", c.Hash.ToString());
            WriteTerms(w, c.Command.Terms);
            w.WriteString("placedAt", c.Command.PlacedAt);
            w.WriteString("deadline", c.Command.Deadline);
            w.WriteBoolean("flashSale", c.Command.FlashSale);
            w.WriteEndObject();
        }, e => new OrderCommandEnvelope(e.String("orderId"), e.String("requestId"), RequestHash.Parse(e.String("hash")),
            new PlaceOrder(ReadTerms(e), e.Time("placedAt"), e.Time("deadline"), e.GetProperty("flashSale").GetBoolean())))
        .AddWireRecord<PayOrderRequest>("order.pay.v1")
        .AddWireRecord<CancelOrderRequest>("order.cancel.v1")
        .AddWireRecord<AwaitReservation>("order.awaitReservation.v1")
        .AddWireRecord<GetOrder>("order.get.v1")
        .AddWireRecord<CheckOrder>("order.check.v1")
        .AddWireRecord<OrderView>("order.view.v1");

    private static void WriteRecord(Utf8JsonWriter w, OrderRecord r)
    {
        w.WriteStartObject();
        EntityFormats.WriteStamp(w, r.Stamp);
        switch (r.Event)
        {
            case OrderPlaced e:
                WriteTerms(w, e.Terms);
                w.WriteString("placedAt", e.PlacedAt);
                w.WriteString("deadline", e.Deadline);
                break;
            case OrderReserved e:
                w.WriteAmount("price", e.Price);
                w.WriteString("asset", e.Asset);
                break;
            case OrderRejected e:
                w.WriteString("reason", e.Reason);
                break;
            case PaymentStarted e:
                w.WriteNumber("attempt", e.Attempt);
                break;
            case PaymentRefused e:
                w.WriteString("reason", e.Reason);
                break;
            case SaleRefused e:
                w.WriteString("reason", e.Reason);
                break;
            case ReleaseStarted e:
                w.WriteBoolean("expired", e.Expired);
                break;
            case OrderClosed e:
                w.WriteBoolean("expired", e.Expired);
                break;
            case OrderFailed e:
                w.WriteString("reason", e.Reason);
                break;
            case FundsFrozen or UnitsSold or OrderPaid:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(r), r.Event, "unknown order event");
        }
        w.WriteEndObject();
    }

    private static OrderRecord ReadRecord(string eventName, JsonElement e)
    {
        OrderEvent @event = eventName switch
        {
            "placed" => new OrderPlaced(ReadTerms(e), e.Time("placedAt"), e.Time("deadline")),
            "reserved" => new OrderReserved(e.Decimal("price"), e.String("asset")),
            "rejected" => new OrderRejected(e.String("reason")),
            "paymentStarted" => new PaymentStarted(e.GetProperty("attempt").GetInt32()),
            "paymentRefused" => new PaymentRefused(e.String("reason")),
            "fundsFrozen" => new FundsFrozen(),
            "unitsSold" => new UnitsSold(),
            "paid" => new OrderPaid(),
            "saleRefused" => new SaleRefused(e.String("reason")),
            "releaseStarted" => new ReleaseStarted(e.GetProperty("expired").GetBoolean()),
            "closed" => new OrderClosed(e.GetProperty("expired").GetBoolean()),
            "failed" => new OrderFailed(e.String("reason")),
            _ => throw new InvalidDataException($"unknown order event '{eventName}'"),
        };
        return new OrderRecord(EntityFormats.ReadStamp(e), @event);
    }

    private static void WriteState(Utf8JsonWriter w, OrderState s)
    {
        w.WriteString("orderId", s.OrderId);
        w.WriteString("status", s.Status.ToString());
        WriteTerms(w, s.Terms);
        w.WriteString("placedAt", s.PlacedAt);
        w.WriteString("deadline", s.Deadline);
        w.WriteString("asset", s.Asset);
        w.WriteAmount("price", s.Price);
        w.WriteNumber("paymentAttempts", s.PaymentAttempts);
        w.WriteString("reason", s.Reason);
    }

    private static OrderState ReadState(JsonElement e) =>
        new(e.String("orderId"), Enum.Parse<OrderStatus>(e.String("status")), ReadTerms(e), e.Time("placedAt"), e.Time("deadline"),
            e.String("asset"), e.Decimal("price"), e.GetProperty("paymentAttempts").GetInt32(), e.OptionalString("reason"));

    private static OrderView ReadView(JsonElement e) =>
        new(e.String("orderId"), e.String("accountId"), e.String("sku"), e.Long("quantity"), e.String("status"),
            e.OptionalString("asset") ?? "", e.OptionalString("price") is null ? 0m : e.Decimal("price"),
            e.OptionalString("amount") is null ? 0m : e.Decimal("amount"), e.Time("placedAt"), e.Time("deadline"), e.OptionalString("reason"));

    private static void WriteTerms(Utf8JsonWriter w, OrderTerms t)
    {
        w.WriteString("accountId", t.AccountId);
        w.WriteString("sku", t.Sku);
        w.WriteNumber("quantity", t.Quantity);
    }

    private static OrderTerms ReadTerms(JsonElement e) => new(e.String("accountId"), e.String("sku"), e.Long("quantity"));
}
