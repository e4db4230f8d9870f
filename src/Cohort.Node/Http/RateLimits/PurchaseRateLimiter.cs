using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Cohort.Node.Http.RateLimits;

/// <summary>
/// The per-account limit of the purchase route: <see cref="RateLimitOptions.PerAccountPerSecond"/> purchases per
/// account per second on this node, in fixed one-second windows. The account id is in the JSON body, which
/// ASP.NET Core's rate-limiting middleware runs before, so the route asks here once it has read the body. Each
/// account's window is forgotten once idle, so any number of accounts may pass.
/// </summary>
public sealed class PurchaseRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string>? limiter;

    public PurchaseRateLimiter(IOptions<RateLimitOptions> options)
        : this(options.Value.Enabled, options.Value.PerAccountPerSecond, TimeSpan.FromSeconds(1))
    {
    }

    internal PurchaseRateLimiter(bool enabled, int permits, TimeSpan window)
    {
        if (enabled)
        {
            limiter = PartitionedRateLimiter.Create<string, string>(accountId => RateLimitPartition.GetFixedWindowLimiter(accountId,
                _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0 }), StringComparer.Ordinal);
        }
    }

    /// <summary>Takes one purchase of <paramref name="accountId"/>'s budget.</summary>
    /// <param name="retryAfter">When refused, how long until the account may purchase again; zero when admitted.</param>
    /// <returns>False when the account is over its limit: answer <see cref="RateLimited"/>.</returns>
    public bool TryAcquire(string accountId, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (limiter is null)
        {
            return true;
        }
        using var lease = limiter.AttemptAcquire(accountId);
        if (lease.IsAcquired)
        {
            return true;
        }
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
        return false;
    }

    public void Dispose() => limiter?.Dispose();
}
