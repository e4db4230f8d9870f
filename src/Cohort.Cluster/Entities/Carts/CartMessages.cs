using System.Text.Json;
using Cohort.Cluster.Persistence;
using Cohort.Domain;
using Cohort.Domain.Carts;

namespace Cohort.Cluster.Entities.Carts;

/// <summary>A validated cart command on its way to the account's cart.</summary>
public sealed record CartCommandEnvelope(string AccountId, string RequestId, RequestHash Hash, CartCommand Command)
    : IShardedMessage, ICohortMessage
{
    public string EntityId => AccountId;
}

/// <summary>Asks an account's cart for its lines, as its journal holds them.</summary>
public sealed record GetCart(string AccountId) : IShardedMessage, ICohortMessage
{
    public string EntityId => AccountId;
}

/// <summary>A cart as clients see it: its lines in sku order, none for an account that never set any.</summary>
public sealed record CartView(string AccountId, ValueList<CartLine> Lines) : ICohortMessage
{
    public static CartView Of(CartState s) => new(s.AccountId, new ValueList<CartLine>(s.Lines.Select(l => new CartLine(l.Key, l.Value))));

    /// <summary>The cart's JSON properties: <c>"accountId","lines":[{"sku","quantity"}]</c>.</summary>
    public void WriteProperties(Utf8JsonWriter w)
    {
        w.WriteString("accountId", AccountId);
        CartJson.WriteLines(w, Lines);
    }
}

/// <summary>
/// An accepted cart command: the cart's event number and the cart right after it; for a checkout also the orders it
/// made, one per line it had, for the caller to place.
/// </summary>
public sealed record CartCommandAccepted(string RequestId, long SeqNr, CartView Cart, ValueList<CartOrder>? Orders) : CommandAccepted(RequestId)
{
    public override void WriteBody(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("requestId", RequestId);
        w.WriteNumber("seqNr", SeqNr);
        Cart.WriteProperties(w);
        if (Orders is not null)
        {
            CartJson.WriteOrders(w, Orders);
        }
        w.WriteEndObject();
    }
}
