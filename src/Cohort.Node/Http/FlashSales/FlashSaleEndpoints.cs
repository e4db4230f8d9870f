using Akka.Hosting;
using Cohort.Cluster.Entities.Orders;
using Cohort.Cluster.FlashSales;
using Cohort.Cluster.Metrics;
using Cohort.Domain;
using Cohort.Node.Auth;
using Cohort.Node.Http.RateLimits;
using Microsoft.Extensions.Options;

namespace Cohort.Node.Http.FlashSales;

/// <summary>
/// <c>POST /api/v1/flash-sales/{sku}/purchase {"requestId","accountId"}</c>: one unit per account per SKU. The order's
/// id stands for the account and the SKU (<see cref="FlashSaleOrders.IdOf"/>), so the order entity itself refuses a
/// second purchase, concurrent or after failover. The answer comes once the order is journaled, with its id; the
/// reservation and what follows go on without the buyer. Once the product is sold out, the node's
/// <see cref="SoldOutBoard"/> answers <c>sold_out</c> without asking the order, the stock or the database; each
/// account may try <see cref="RateLimitOptions.PerAccountPerSecond"/> times a second on each node.
/// </summary>
internal static class FlashSaleEndpoints
{
    public static void MapFlashSaleEndpoints(this WebApplication app) =>
        app.MapPost("/api/v1/flash-sales/{sku}/purchase", PurchaseAsync).RequireCaller();

    private static async Task<IResult> PurchaseAsync(
        string sku, HttpContext context, IRequiredActor<OrderRegion> orders, EntityAsk ask, IOptions<OrderOptions> options,
        SoldOutBoard board, PurchaseRateLimiter limiter, CohortMetrics metrics, CancellationToken ct)
    {
        var (doc, error) = await JsonBody.ReadAsync(context.Request, ct);
        if (doc is null)
        {
            return Problems.Validation(error!);
        }
        string? requestId, accountId;
        using (doc)
        {
            if (!JsonBody.IsAbsentOrString(doc.RootElement, "requestId") || !JsonBody.IsAbsentOrString(doc.RootElement, "accountId"))
            {
                return Problems.Validation("requestId and accountId must be strings");
            }
            requestId = JsonBody.String(doc.RootElement, "requestId");
            accountId = JsonBody.String(doc.RootElement, "accountId");
        }
        if (!Identifier.IsValid(requestId) || !Identifier.IsValid(accountId) || !Identifier.IsValid(sku))
        {
            return Problems.Validation($"requestId, accountId and the sku are required: 1-{Identifier.MaxLength} characters of letters, digits and -_.:@");
        }
        if (AccountAccess.Check(context, accountId) is { } refused)
        {
            return refused;
        }
        if (!limiter.TryAcquire(accountId!, out var retryAfter))
        {
            return new RateLimited(retryAfter, $"account '{accountId}' is over its purchase budget on this node; retry after the Retry-After seconds");
        }
        if (board.IsSoldOut(sku))
        {
            metrics.SoldOutAnsweredFromMemory();
            return Problems.Of(RejectionCodes.SoldOut, $"product '{sku}' is sold out");
        }
        var parsed = OrderCommandParser.Purchase(requestId, accountId, sku, options.Value, DateTime.UtcNow);
        if (parsed.Message is not { } place)
        {
            return Problems.Validation(parsed.Error!);
        }
        var reply = await ask.AskAsync(orders.ActorRef, OrderRegion.TypeName, place, ct);
        return EntityAsk.ToResult(reply, $"purchase '{requestId}' of '{sku}'");
    }
}
