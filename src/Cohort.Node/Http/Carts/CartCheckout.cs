using Akka.Hosting;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Carts;
using Cohort.Cluster.Entities.Orders;
using Cohort.Domain;
using Cohort.Node.Http.Orders;
using Microsoft.Extensions.Options;

namespace Cohort.Node.Http.Carts;

/// <summary>
/// <c>POST /api/v1/accounts/{accountId}/cart/checkout {"requestId"}</c>: the cart journals its checkout (one order
/// per line, each with an id made of the account, the request id and the SKU) and empties itself; then every order is
/// placed and its reservation awaited, as <c>POST /api/v1/orders</c> does. The answer lists each order: awaiting
/// payment, or rejected with its reason. Should a node die between the two, the same request id answers the same
/// orders and placing them again is idempotent: a 503 or 504 is retried with the same request id, and finishes the job.
/// </summary>
internal static class CartCheckout
{
    public static async Task<IResult> CheckOutAsync(
        string accountId, HttpRequest request, IRequiredActor<CartRegion> carts, IRequiredActor<OrderRegion> orders, EntityAsk ask,
        IOptions<OrderOptions> options, CancellationToken ct)
    {
        var (doc, error) = await JsonBody.ReadAsync(request, ct);
        if (doc is null)
        {
            return Problems.Validation(error!);
        }
        Parsed<CartCommandEnvelope> parsed;
        using (doc)
        {
            parsed = CartCommandParser.Read(doc.RootElement, "checkout", accountId);
        }
        if (parsed.Message is not { } checkout)
        {
            return Problems.Validation(parsed.Error!);
        }
        var reply = await ask.AskAsync(carts.ActorRef, CartRegion.TypeName, checkout, ct);
        if (reply is not CartCommandAccepted { Orders: { } lines })
        {
            return EntityAsk.ToResult(reply, $"checkout '{checkout.RequestId}' of the cart of account '{accountId}'");
        }
        var now = DateTime.UtcNow;
        var placed = await Task.WhenAll(lines.Select(line =>
        {
            var place = OrderCommandParser.Place(line.OrderId, line.OrderId, accountId, line.Sku, line.Quantity, flashSale: false, options.Value, now);
            return OrderEndpoints.PlaceAndAwaitAsync(orders.ActorRef, ask, place.Message!, ct);
        }));
        if (placed.Any(p => p is not (OrderAccepted or CommandRejected { Code: not RejectionCodes.IdempotencyConflict })))
        {
            return Problems.Of(Problems.Timeout,
                $"checkout '{checkout.RequestId}' emptied the cart but not every order has answered yet; send it again with the same request id to finish placing them");
        }
        return JsonResult.Of(w =>
        {
            w.WriteStartObject();
            w.WriteString("requestId", checkout.RequestId);
            w.WriteString("accountId", accountId);
            w.WriteStartArray("orders");
            foreach (var (line, answer) in lines.Zip(placed))
            {
                w.WriteStartObject();
                if (answer is OrderAccepted accepted)
                {
                    accepted.Order.WriteProperties(w);
                }
                else
                {
                    w.WriteString("orderId", line.OrderId);
                    w.WriteString("sku", line.Sku);
                    w.WriteNumber("quantity", line.Quantity);
                    w.WriteString("status", "rejected");
                    w.WriteString("reason", ((CommandRejected)answer!).Code);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }
}
