using System.Collections.Immutable;
using System.Text.Json;
using Cohort.Cluster.Persistence;
using Cohort.Domain.Stock;

namespace Cohort.Cluster.Entities.Stock;

/// <summary>
/// The product's JSON forms. Journal records are stored under <c>stock.&lt;event&gt;.v1</c>:
/// <c>{"requestId","hash","at", the event's fields, "available","reserved","sold"}</c>, the units being the
/// product's right after the event. Prices are decimal strings, units JSON numbers.
/// </summary>
public static class StockFormats
{
    private static readonly string[] EventNames = ["created", "restocked", "detailsChanged", "reserved", "confirmed", "released"];

    public static string EventName(StockEvent e) => e switch
    {
        ProductCreated => "created",
        Restocked => "restocked",
        DetailsChanged => "detailsChanged",
        StockReserved => "reserved",
        ReservationConfirmed => "confirmed",
        ReservationReleased => "released",
        _ => throw new ArgumentOutOfRangeException(nameof(e), e, "unknown stock event"),
    };

    public static string RecordManifest(string eventName) => $"stock.{eventName}.v1";

    public static void Register(MessageFormats formats) => formats
        .Add<StockRecord>(r => RecordManifest(EventName(r.Event)), WriteRecord,
            EventNames.Select(name => (RecordManifest(name), (Func<JsonElement, StockRecord>)(e => ReadRecord(name, e)))).ToArray())
        .Add<StockSnapshot>("stock.snapshot.v1", (w, s) =>
        {
            w.WriteStartObject();
            WriteState(w, s.State);
            EntityFormats.WriteRequests(w, formats, s.Requests);
            w.WriteEndObject();
        }, e => new StockSnapshot(ReadState(e), EntityFormats.ReadRequests(e, formats)))
        .Add<StockCommandAccepted>("stock.accepted.v1", (w, a) => a.WriteBody(w), e => new StockCommandAccepted(
            e.String("requestId"), e.Long("seqNr"),
            new StockView(e.String("sku"), true, e.String("name"), e.Decimal("price"), e.String("asset"), e.OptionalString("category"),
                e.Long("available"), e.Long("reserved"), e.Long("sold"))))
        .Add<StockCommandEnvelope>("stock.command.v1", WriteCommand, ReadCommand)
        .AddWireRecord<GetStock>("stock.get.v1")
        .AddWireRecord<StockView>("stock.view.v1");

    private static void WriteRecord(Utf8JsonWriter w, StockRecord r)
    {
        w.WriteStartObject();
        EntityFormats.WriteStamp(w, r.Stamp);
        switch (r.Event)
        {
            case ProductCreated c:
                w.WriteString("name", c.Name);
                w.WriteAmount("price", c.Price);
                w.WriteString("asset", c.Asset);
                WriteOptional(w, "category", c.Category);
                w.WriteNumber("units", c.Units);
                break;
            case Restocked c:
                w.WriteNumber("units", c.Units);
                break;
            case DetailsChanged c:
                WriteDetails(w, c.Name, c.Price, c.Category);
                break;
            case StockReserved c:
                WriteReservation(w, c.OrderId, c.Quantity);
                break;
            case ReservationConfirmed c:
                WriteReservation(w, c.OrderId, c.Quantity);
                break;
            case ReservationReleased c:
                WriteReservation(w, c.OrderId, c.Quantity);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(r), r.Event, "unknown stock event");
        }
        w.WriteNumber("available", r.After.Available);
        w.WriteNumber("reserved", r.After.Reserved);
        w.WriteNumber("sold", r.After.Sold);
        w.WriteEndObject();
    }

    private static StockRecord ReadRecord(string eventName, JsonElement e)
    {
        StockEvent @event = eventName switch
        {
            "created" => new ProductCreated(e.String("name"), e.Decimal("price"), e.String("asset"), e.OptionalString("category"), e.Long("units")),
            "restocked" => new Restocked(e.Long("units")),
            "detailsChanged" => new DetailsChanged(e.OptionalString("name"), OptionalDecimal(e, "price"), e.OptionalString("category")),
            "reserved" => new StockReserved(e.String("orderId"), e.Long("quantity")),
            "confirmed" => new ReservationConfirmed(e.String("orderId"), e.Long("quantity")),
            "released" => new ReservationReleased(e.String("orderId"), e.Long("quantity")),
            _ => throw new InvalidDataException($"unknown stock event '{eventName}'"),
        };
        return new StockRecord(EntityFormats.ReadStamp(e), @event, new StockUnits(e.Long("available"), e.Long("reserved"), e.Long("sold")));
    }

    private static void WriteState(Utf8JsonWriter w, StockState s)
    {
        w.WriteString("sku", s.Sku);
        w.WriteBoolean("exists", s.Exists);
        w.WriteString("name", s.Name);
        w.WriteAmount("price", s.Price);
        w.WriteString("asset", s.Asset);
        WriteOptional(w, "category", s.Category);
        w.WriteNumber("available", s.Available);
        w.WriteNumber("reserved", s.Reserved);
        w.WriteNumber("sold", s.Sold);
        w.WriteNumber("totalAdded", s.TotalAdded);
        w.WriteStartObject("reservations");
        foreach (var (orderId, quantity) in s.Reservations)
        {
            w.WriteNumber(orderId, quantity);
        }
        w.WriteEndObject();
    }

    private static StockState ReadState(JsonElement e) =>
        new(e.String("sku"), e.GetProperty("exists").GetBoolean(), e.String("name"), e.Decimal("price"), e.String("asset"),
            e.OptionalString("category"), e.Long("available"), e.Long("reserved"), e.Long("sold"), e.Long("totalAdded"),
            e.GetProperty("reservations").EnumerateObject().ToImmutableSortedDictionary(p => p.Name, p => p.Value.GetInt64(), StringComparer.Ordinal));

    private static void WriteCommand(Utf8JsonWriter w, StockCommandEnvelope c)
    {
        w.WriteStartObject();
        w.WriteString("type", StockCommandParser.TypeOf(c.Command));
        w.WriteString("sku", c.Sku);
        w.WriteString("requestId", c.RequestId);
        w.WriteString("hash", c.Hash.ToString());
        switch (c.Command)
        {
            case Restock r:
                w.WriteString("name", r.Name);
                w.WriteAmount("price", r.Price);
                w.WriteString("asset", r.Asset);
                w.WriteNumber("addStock", r.AddStock);
                WriteOptional(w, "category", r.Category);
                break;
            case ChangeDetails d:
                WriteDetails(w, d.Name, d.Price, d.Category);
                break;
            case Reserve r:
                WriteReservation(w, r.OrderId, r.Quantity);
                break;
            case Confirm f:
                w.WriteString("orderId", f.OrderId);
                break;
            case Release r:
                w.WriteString("orderId", r.OrderId);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(c), c.Command, "unknown stock command");
        }
        w.WriteEndObject();
    }

    /// <summary>Read back as sent: the hash was taken when the command was first parsed, and travels with it.</summary>
    private static StockCommandEnvelope ReadCommand(JsonElement e)
    {
        var type = e.String("type");
        StockCommand command = type switch
        {
            "restock" => new Restock(e.String("name"), e.Decimal("price"), e.String("asset"), e.Long("addStock"), e.OptionalString("category")),
            "change" => new ChangeDetails(e.OptionalString("name"), OptionalDecimal(e, "price"), e.OptionalString("category")),
            "reserve" => new Reserve(e.String("orderId"), e.Long("quantity")),
            "confirm" => new Confirm(e.String("orderId")),
            "release" => new Release(e.String("orderId")),
            _ => throw new InvalidDataException($"'{type}' is not a stock command"),
        };
        return new StockCommandEnvelope(e.String("sku"), e.String("requestId"), RequestHash.Parse(e.String("hash")), command);
    }

    /// <summary>A details change, as the event and the command both have it: only the details given.</summary>
    private static void WriteDetails(Utf8JsonWriter w, string? name, decimal? price, string? category)
    {
        WriteOptional(w, "name", name);
        if (price is { } given)
        {
            w.WriteAmount("price", given);
        }
        WriteOptional(w, "category", category);
    }

    private static void WriteReservation(Utf8JsonWriter w, string orderId, long quantity)
    {
        w.WriteString("orderId", orderId);
        w.WriteNumber("quantity", quantity);
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    private static decimal? OptionalDecimal(JsonElement e, string name) => e.TryGetProperty(name, out _) ? e.Decimal(name) : null;
}
