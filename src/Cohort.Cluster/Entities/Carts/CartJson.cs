using System.Text.Json;
using Cohort.Cluster.Persistence;
using Cohort.Domain;
using Cohort.Domain.Carts;

namespace Cohort.Cluster.Entities.Carts;

/// <summary>
/// Lines and orders in their one JSON form, <c>"lines":[{"sku","quantity"}]</c> and
/// <c>"orders":[{"orderId","sku","quantity"}]</c>: the journal, the wire and the API answers all write them here.
/// </summary>
public static class CartJson
{
    public static void WriteLines(Utf8JsonWriter w, IEnumerable<CartLine> lines)
    {
        w.WriteStartArray("lines");
        foreach (var line in lines)
        {
            w.WriteStartObject();
            w.WriteString("sku", line.Sku);
            w.WriteNumber("quantity", line.Quantity);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public static ValueList<CartLine> ReadLines(JsonElement e) =>
        new(e.GetProperty("lines").EnumerateArray().Select(l => new CartLine(l.String("sku"), l.Long("quantity"))));

    public static void WriteOrders(Utf8JsonWriter w, IEnumerable<CartOrder> orders)
    {
        w.WriteStartArray("orders");
        foreach (var order in orders)
        {
            w.WriteStartObject();
            w.WriteString("orderId", order.OrderId);
            w.WriteString("sku", order.Sku);
            w.WriteNumber("quantity", order.Quantity);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public static ValueList<CartOrder> ReadOrders(JsonElement e) =>
        new(e.GetProperty("orders").EnumerateArray().Select(o => new CartOrder(o.String("orderId"), o.String("sku"), o.Long("quantity"))));
}
