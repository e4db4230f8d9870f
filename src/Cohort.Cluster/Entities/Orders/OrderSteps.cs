using System.Globalization;
using Cohort.Domain.Orders;

namespace Cohort.Cluster.Entities.Orders;

/// <summary>
/// The deterministic request ids of an order's steps: <c>&lt;orderId&gt;:reserve</c>, <c>:confirm</c>, <c>:settle</c>,
/// <c>:release</c>, <c>:unfreeze</c>, and <c>:freeze</c> for the first payment attempt (<c>:freeze-2</c> for the
/// second...): a refused freeze keeps its refusal under its id, so a later attempt needs its own. Sent again after any
/// crash, each is still applied once by its stock or account.
/// </summary>
public static class OrderSteps
{
    public static string RequestId(string orderId, OrderStep step, int attempt) => step == OrderStep.Freeze && attempt > 1
        ? $"{orderId}:freeze-{attempt}"
        : $"{orderId}:{Suffix(step)}";

    public static bool TryParse(string requestId, out string orderId, out OrderStep step, out int attempt)
    {
        var colon = requestId.LastIndexOf(':');
        orderId = colon > 0 ? requestId[..colon] : "";
        var suffix = colon > 0 ? requestId[(colon + 1)..] : "";
        attempt = 1;
        OrderStep? parsed = suffix switch
        {
            "reserve" => OrderStep.Reserve,
            "freeze" => OrderStep.Freeze,
            "confirm" => OrderStep.Confirm,
            "settle" => OrderStep.Settle,
            "release" => OrderStep.Release,
            "unfreeze" => OrderStep.Unfreeze,
            // Only the attempt's own spelling: no sign, spaces or leading zeros, so that parsing is the exact inverse of RequestId.
            _ when suffix.StartsWith("freeze-", StringComparison.Ordinal) && int.TryParse(suffix.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out attempt)
                && attempt > 1 && suffix[7] != '0' => OrderStep.Freeze,
            _ => null,
        };
        step = parsed ?? default;
        return parsed is not null;
    }

    /// <summary>The request id of the buyer's n-th payment, of a cancel, and of the expiry: each changes the order once.</summary>
    public static string Pay(string orderId, int attempt) => $"{orderId}:pay-{attempt}";

    public static string Cancel(string orderId) => $"{orderId}:cancel";

    public static string Expire(string orderId) => $"{orderId}:expire";

    private static string Suffix(OrderStep step) => step switch
    {
        OrderStep.Reserve => "reserve",
        OrderStep.Freeze => "freeze",
        OrderStep.Confirm => "confirm",
        OrderStep.Settle => "settle",
        OrderStep.Release => "release",
        OrderStep.Unfreeze => "unfreeze",
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, null),
    };
}
