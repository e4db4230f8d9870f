using System.Collections.Immutable;
using System.Text.Json;
using Cohort.Cluster.Persistence;
using Cohort.Domain.Carts;

namespace Cohort.Cluster.Entities.Carts;

/// <summary>
/// The cart's JSON forms. Journal records are stored under <c>cart.&lt;event&gt;.v1</c>:
/// <c>{"requestId","hash","at", the event's fields}</c>; each event says the whole cart after it (a set its lines,
/// a clear and a checkout none), so no row needs the state beside it. Quantities are JSON numbers.
/// </summary>
public static class CartFormats
{
    private static readonly string[] EventNames = ["linesSet", "cleared", "checkedOut"];

    public static string EventName(CartEvent e) => e switch
    {
        CartLinesSet => "linesSet",
        CartCleared => "cleared",
        CartCheckedOut => "checkedOut",
        _ => throw new ArgumentOutOfRangeException(nameof(e), e, "unknown cart event"),
    };

    public static string RecordManifest(string eventName) => $"cart.{eventName}.v1";

    public static void Register(MessageFormats formats) => formats
        .Add<CartRecord>(r => RecordManifest(EventName(r.Event)), WriteRecord,
            EventNames.Select(name => (RecordManifest(name), (Func<JsonElement, CartRecord>)(e => ReadRecord(name, e)))).ToArray())
        .Add<CartSnapshot>("cart.snapshot.v1", (w, s) =>
        {
            w.WriteStartObject();
            w.WriteString("accountId", s.State.AccountId);
            CartJson.WriteLines(w, s.State.Lines.Select(l => new CartLine(l.Key, l.Value)));
            w.WriteNumber("checkedOut", s.State.CheckedOut);
            EntityFormats.WriteRequests(w, formats, s.Requests);
            w.WriteEndObject();
        }, e => new CartSnapshot(
            new CartState(e.String("accountId"), CartJson.ReadLines(e).ToImmutableSortedDictionary(l => l.Sku, l => l.Quantity, StringComparer.Ordinal), e.Long("checkedOut")),
            EntityFormats.ReadRequests(e, formats)))
        .Add<CartCommandAccepted>("cart.accepted.v1", (w, a) => a.WriteBody(w), e => new CartCommandAccepted(
            e.String("requestId"), e.Long("seqNr"), ReadView(e), e.TryGetProperty("orders", out _) ? CartJson.ReadOrders(e) : null))
        .Add<CartCommandEnvelope>("cart.command.v1", WriteCommand, ReadCommand)
        .AddWireRecord<GetCart>("cart.get.v1")
        .Add<CartView>("cart.view.v1", (w, v) =>
        {
            w.WriteStartObject();
            v.WriteProperties(w);
            w.WriteEndObject();
        }, ReadView);

    private static void WriteRecord(Utf8JsonWriter w, CartRecord r)
    {
        w.WriteStartObject();
        EntityFormats.WriteStamp(w, r.Stamp);
        switch (r.Event)
        {
            case CartLinesSet e:
                CartJson.WriteLines(w, e.Lines);
                break;
            case CartCleared:
                break;
            case CartCheckedOut e:
                CartJson.WriteOrders(w, e.Orders);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(r), r.Event, "unknown cart event");
        }
        w.WriteEndObject();
    }

    private static CartRecord ReadRecord(string eventName, JsonElement e)
    {
        CartEvent @event = eventName switch
        {
            "linesSet" => new CartLinesSet(CartJson.ReadLines(e)),
            "cleared" => new CartCleared(),
            "checkedOut" => new CartCheckedOut(CartJson.ReadOrders(e)),
            _ => throw new InvalidDataException($"unknown cart event '{eventName}'"),
        };
        return new CartRecord(EntityFormats.ReadStamp(e), @event);
    }

    private static void WriteCommand(Utf8JsonWriter w, CartCommandEnvelope c)
    {
        w.WriteStartObject();
        w.WriteString("type", CartCommandParser.TypeOf(c.Command));
        w.WriteString("accountId", c.AccountId);
        w.WriteString("requestId", c.RequestId);
        w.WriteString("hash", c.Hash.ToString());
        if (c.Command is SetCart set)
        {
            CartJson.WriteLines(w, set.Lines);
        }
        w.WriteEndObject();
    }

    /// <summary>Read back as sent: the hash was taken when the command was first parsed, and travels with it.</summary>
    private static CartCommandEnvelope ReadCommand(JsonElement e)
    {
        var type = e.String("type");
        var requestId = e.String("requestId");
        CartCommand command = type switch
        {
            "set" => new SetCart(CartJson.ReadLines(e)),
            "clear" => new ClearCart(),
            "checkout" => new CheckOut(requestId),
            _ => throw new InvalidDataException($"'{type}' is not a cart command"),
        };
        return new CartCommandEnvelope(e.String("accountId"), requestId, RequestHash.Parse(e.String("hash")), command);
    }

    private static CartView ReadView(JsonElement e) => new(e.String("accountId"), CartJson.ReadLines(e));
}
