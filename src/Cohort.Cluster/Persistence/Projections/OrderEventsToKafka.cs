using System.Buffers;
using System.Text.Json;
using Akka.Persistence.Query;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Orders;
using Cohort.Cluster.Kafka;
using Cohort.Domain;
using Cohort.Domain.Orders;

namespace Cohort.Cluster.Persistence.Projections;

/// <summary>
/// Publishes every order event on <c>cohort.events.order</c>, keyed by order id, in journal order (so in order per
/// order): <c>type</c> (the journal's event name: placed, reserved, rejected, paymentStarted, paymentRefused,
/// fundsFrozen, unitsSold, paid, saleRefused, releaseStarted, closed, failed), <c>orderId</c>, <c>seqNr</c>,
/// <c>requestId</c>, <c>status</c> (the order's status right after the event, as the API names it), the event's own
/// fields (placed: <c>accountId</c>, <c>sku</c>, <c>quantity</c>, <c>placedAt</c>, <c>deadline</c>; reserved:
/// <c>price</c>, <c>asset</c>; paymentStarted: <c>attempt</c>; rejected, paymentRefused, saleRefused, failed and
/// releaseStarted: <c>reason</c>) and <c>at</c>. The offset moves once Kafka has the batch: at least once, so
/// consumers deduplicate by (<c>orderId</c>, <c>seqNr</c>). Refused commands are journaled too but change no order,
/// so they are not published.
/// </summary>
public sealed class OrderEventsToKafka(MessageProducer producer, ProjectionOffsets offsets) : IProjection
{
    public string Name => "order-events";

    public Task<long> ReadOffsetAsync(CancellationToken ct) => offsets.ReadAsync(Name, ct);

    public async Task HandleAsync(IReadOnlyList<EventEnvelope> batch, long offset, CancellationToken ct)
    {
        var topic = CohortTopics.Events(OrderRegion.TypeName);
        var sent = new List<Task>();
        foreach (var e in batch)
        {
            if (e.Event is OrderRecord record && PersistenceIds.TrySplit(e.PersistenceId, out _, out var orderId))
            {
                sent.Add(producer.PublishEventAsync(topic, orderId, PublicEvent(orderId, e.SequenceNr, record)));
            }
        }
        await Task.WhenAll(sent);
        await offsets.StoreAsync(Name, offset, ct);
    }

    /// <summary>The event as other services read it: what changed and where the order stands after it.</summary>
    public static byte[] PublicEvent(string orderId, long seqNr, OrderRecord record)
    {
        var e = record.Event;
        var buffer = new ArrayBufferWriter<byte>(320);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", OrderFormats.EventName(e));
            w.WriteString("orderId", orderId);
            w.WriteNumber("seqNr", seqNr);
            w.WriteString("requestId", record.Stamp.RequestId);
            w.WriteString("status", OrderStatusNames.Of(OrderEventStatus.Of(e)));
            switch (e)
            {
                case OrderPlaced p:
                    w.WriteString("accountId", p.Terms.AccountId);
                    w.WriteString("sku", p.Terms.Sku);
                    w.WriteNumber("quantity", p.Terms.Quantity);
                    w.WriteString("placedAt", p.PlacedAt);
                    w.WriteString("deadline", p.Deadline);
                    break;
                case OrderReserved r:
                    w.WriteString("price", Amount.Format(r.Price));
                    w.WriteString("asset", r.Asset);
                    break;
                case PaymentStarted s:
                    w.WriteNumber("attempt", s.Attempt);
                    break;
            }
            if (Reason(e) is { } reason)
            {
                w.WriteString("reason", reason);
            }
            w.WriteString("at", record.Stamp.At);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Why the order moved, for the events that say: the same reason the orders table shows.</summary>
    private static string? Reason(OrderEvent e) => e switch
    {
        OrderRejected r => r.Reason,
        PaymentRefused r => r.Reason,
        SaleRefused r => r.Reason,
        OrderFailed r => r.Reason,
        ReleaseStarted r => r.Expired ? Order.ExpiredReason : Order.CancelledReason,
        _ => null,
    };
}
