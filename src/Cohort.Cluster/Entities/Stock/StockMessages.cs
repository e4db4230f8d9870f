using System.Text.Json;
using Cohort.Cluster.Persistence;
using Cohort.Domain;
using Cohort.Domain.Stock;

namespace Cohort.Cluster.Entities.Stock;

/// <summary>A validated stock command on its way to the product's entity.</summary>
public sealed record StockCommandEnvelope(string Sku, string RequestId, RequestHash Hash, StockCommand Command)
    : IShardedMessage, ICohortMessage
{
    public string EntityId => Sku;
}

/// <summary>Asks a product for its details and units, as its journal holds them.</summary>
public sealed record GetStock(string Sku) : IShardedMessage, ICohortMessage
{
    public string EntityId => Sku;
}

/// <summary>A product as clients see it; <see cref="Exists"/> is false for a SKU never restocked.</summary>
public sealed record StockView(string Sku, bool Exists, string Name, decimal Price, string Asset, string? Category, long Available, long Reserved, long Sold)
    : ICohortMessage
{
    public static StockView Of(StockState s) => new(s.Sku, s.Exists, s.Name, s.Price, s.Asset, s.Category, s.Available, s.Reserved, s.Sold);

    /// <summary>The product's JSON properties, prices as decimal strings like every amount.</summary>
    public void WriteProperties(Utf8JsonWriter w)
    {
        w.WriteString("sku", Sku);
        w.WriteString("name", Name);
        w.WriteString("price", Amount.Format(Price));
        w.WriteString("asset", Asset);
        w.WriteString("category", Category);
        w.WriteNumber("available", Available);
        w.WriteNumber("reserved", Reserved);
        w.WriteNumber("sold", Sold);
    }
}

/// <summary>An accepted stock command: the product's event number and the product right after it.</summary>
public sealed record StockCommandAccepted(string RequestId, long SeqNr, StockView Product) : CommandAccepted(RequestId)
{
    public override void WriteBody(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("requestId", RequestId);
        w.WriteNumber("seqNr", SeqNr);
        Product.WriteProperties(w);
        w.WriteEndObject();
    }
}
