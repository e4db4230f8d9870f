using System.Diagnostics;
using Akka.Actor;
using Akka.Hosting;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Orders;
using Cohort.Cluster.Persistence.Projections;
using Cohort.Domain;
using Cohort.Node.Auth;
using Microsoft.Extensions.Options;

namespace Cohort.Node.Http.Orders;

/// <summary>
/// The order API over the order process: <c>POST /api/v1/orders</c> places an order and answers once its units are
/// reserved (<c>awaiting_payment</c>) or could not be; <c>/pay</c> and <c>/cancel</c> answer once the payment or the
/// release is done; <c>GET</c> reads the order from its entity; <c>GET /api/v1/accounts/{id}/orders</c> lists an
/// account's orders from the orders projection.
/// </summary>
internal static class OrderEndpoints
{
    public static void MapOrderEndpoints(this WebApplication app)
    {
        var orders = app.MapGroup("/api/v1/orders").RequireCaller();
        orders.MapPost("/", PlaceAsync);
        orders.MapPost("/{orderId}/pay", (string orderId, HttpContext context, IRequiredActor<OrderRegion> region, EntityAsk ask, CancellationToken ct) =>
            BuyerAsync("pay", orderId, context, region, ask, (order, id) => new PayOrderRequest(order, id), ct));
        orders.MapPost("/{orderId}/cancel", (string orderId, HttpContext context, IRequiredActor<OrderRegion> region, EntityAsk ask, CancellationToken ct) =>
            BuyerAsync("cancel", orderId, context, region, ask, (order, id) => new CancelOrderRequest(order, id), ct));
        orders.MapGet("/{orderId}", GetAsync);
        app.MapGet("/api/v1/accounts/{accountId}/orders", ListAsync).RequireAccount();
    }

    /// <summary>
    /// Places an order and waits, within the ask timeout, until its units are reserved or refused.
    /// </summary>
    /// <returns>The order (awaiting payment), its rejection, or null when no final answer came in time.</returns>
    internal static async Task<object?> PlaceAndAwaitAsync(IActorRef region, EntityAsk ask, OrderCommandEnvelope place, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var reply = await ask.AskAsync(region, OrderRegion.TypeName, place, ct);
        if (reply is OrderAccepted { Order.Status: "reserving" })
        {
            var left = ask.Timeout - Stopwatch.GetElapsedTime(started);
            reply = left > TimeSpan.Zero
                ? await ask.AskAsync(region, OrderRegion.TypeName, new AwaitReservation(place.OrderId, place.RequestId), left, ct)
                : null;
        }
        return reply;
    }

    private static async Task<IResult> PlaceAsync(
        HttpContext context, IRequiredActor<OrderRegion> region, EntityAsk ask, IOptions<OrderOptions> options, CancellationToken ct)
    {
        var request = context.Request;
        var (doc, error) = await JsonBody.ReadAsync(request, ct);
        if (doc is null)
        {
            return Problems.Validation(error!);
        }
        OrderCommandEnvelope place;
        using (doc)
        {
            var parsed = OrderCommandParser.ReadPlace(doc.RootElement, options.Value, DateTime.UtcNow);
            if (parsed.Message is not { } envelope)
            {
                return Problems.Validation(parsed.Error!);
            }
            place = envelope;
        }
        if (AccountAccess.Check(context, place.Command.Terms.AccountId) is { } refused)
        {
            return refused;
        }
        var reply = await PlaceAndAwaitAsync(region.ActorRef, ask, place, ct);
        if (reply is null)
        {
            return Problems.Of(Problems.Timeout, $"order '{place.OrderId}' is still reserving its units; retry with the same request id to learn its outcome");
        }
        return EntityAsk.ToResult(reply, $"order '{place.OrderId}'");
    }

    /// <summary>A pay or cancel; the body is optional and may name a request id for the answer (the order id otherwise).</summary>
    private static async Task<IResult> BuyerAsync(
        string what, string orderId, HttpContext context, IRequiredActor<OrderRegion> region, EntityAsk ask,
        Func<string, string, IShardedMessage> create, CancellationToken ct)
    {
        var request = context.Request;
        string? requestId = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            var (doc, error) = await JsonBody.ReadAsync(request, ct);
            if (doc is null)
            {
                return Problems.Validation(error!);
            }
            using (doc)
            {
                if (!JsonBody.IsAbsentOrString(doc.RootElement, "requestId"))
                {
                    return Problems.Validation("requestId must be a string");
                }
                requestId = JsonBody.String(doc.RootElement, "requestId");
            }
        }
        var parsed = OrderCommandParser.Buyer(requestId, orderId, create);
        if (parsed.Message is not { } message)
        {
            return Problems.Validation(parsed.Error!);
        }
        if (await ForeignAsync(context, orderId, region, ask, ct) is { } refused)
        {
            return refused;
        }
        var reply = await ask.AskAsync(region.ActorRef, OrderRegion.TypeName, message, ct);
        return reply is null
            ? Problems.Of(Problems.Timeout, $"{what} of order '{orderId}' got no answer in time; it may still complete: read the order, or send it again")
            : EntityAsk.ToResult(reply, $"{what} of order '{orderId}'");
    }

    /// <summary>The order from its entity: a command answered before this GET shows in it.</summary>
    private static async Task<IResult> GetAsync(string orderId, HttpContext context, IRequiredActor<OrderRegion> region, EntityAsk ask, CancellationToken ct)
    {
        if (!Identifier.IsValid(orderId))
        {
            return Problems.Validation($"orderId must be 1-{Identifier.MaxLength} characters of letters, digits and -_.:@");
        }
        var reply = await ask.AskAsync(region.ActorRef, OrderRegion.TypeName, new GetOrder(orderId), ct);
        return reply switch
        {
            OrderView { Exists: false } => Problems.Of(Problems.NotFound, $"order '{orderId}' does not exist"),
            OrderView order when AccountAccess.Check(context, order.AccountId) is { } refused => refused,
            OrderView order => OrderJson.Order(order),
            _ => Problems.Of(Problems.Timeout, $"order '{orderId}' did not answer in time; retry"),
        };
    }

    /// <summary>
    /// The refusal for a caller acting on another account's order, read from the order itself; null for an admin or
    /// service caller (no read), the order's own account, or an order that does not exist (the command answers 404).
    /// </summary>
    private static async Task<IResult?> ForeignAsync(HttpContext context, string orderId, IRequiredActor<OrderRegion> region, EntityAsk ask, CancellationToken ct)
    {
        if (AccountAccess.ActsOnAnyAccount(context) || !Identifier.IsValid(orderId))
        {
            return null;
        }
        return await ask.AskAsync(region.ActorRef, OrderRegion.TypeName, new GetOrder(orderId), ct) switch
        {
            OrderView { Exists: true } order => AccountAccess.Check(context, order.AccountId),
            OrderView => null,
            _ => Problems.Of(Problems.Timeout, $"order '{orderId}' did not answer in time; retry"),
        };
    }

    /// <summary>An account's orders, newest first, from the orders projection: it may lag the orders themselves.</summary>
    private static async Task<IResult> ListAsync(string accountId, HttpRequest request, OrderBookQuery orders, CancellationToken ct)
    {
        if (!Identifier.IsValid(accountId))
        {
            return Problems.Validation($"accountId must be 1-{Identifier.MaxLength} characters of letters, digits and -_.:@");
        }
        if (Paging.Read(request.Query, out var page, out var pageSize) is { } error)
        {
            return Problems.Validation(error);
        }
        var found = await orders.ForAccountAsync(accountId, page, pageSize, ct);
        return OrderJson.Page(accountId, found, page, pageSize);
    }
}
