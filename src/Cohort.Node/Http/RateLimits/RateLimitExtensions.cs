using System.Threading.RateLimiting;
using Cohort.Node.Http.RateLimits;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

// In the namespace of the other Add*/Use* extensions, so Program.cs calls these without another using.
namespace Microsoft.AspNetCore.Builder;

internal static class RateLimitExtensions
{
    private const string NodePartition = "node";
    private static readonly PathString LimitedPrefix = "/api";

    /// <summary>
    /// Registers <see cref="RateLimitOptions"/> (validated at start), the node's limit on every <c>/api/</c> request
    /// as ASP.NET Core's global limiter, and the per-account <see cref="PurchaseRateLimiter"/>.
    /// </summary>
    public static IServiceCollection AddCohortRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.Section))
            .Validate(o => o.PerAccountPerSecond > 0 && o.PerNodePerSecond > 0 && o.QueueLimit >= 0,
                $"{RateLimitOptions.Section}: PerAccountPerSecond and PerNodePerSecond must be positive, QueueLimit not negative")
            .ValidateOnStart();
        services.AddSingleton<PurchaseRateLimiter>();
        // The middleware's services; its options are configured below, from RateLimitOptions once they are bound.
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((limiter, options) =>
        {
            var limits = options.Value;
            if (!limits.Enabled)
            {
                return;
            }
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.Request.Path.StartsWithSegments(LimitedPrefix)
                    ? RateLimitPartition.GetFixedWindowLimiter(NodePartition, _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = limits.PerNodePerSecond,
                        Window = TimeSpan.FromSeconds(1),
                        QueueLimit = limits.QueueLimit,
                        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                    })
                    : RateLimitPartition.GetNoLimiter(""));
            limiter.OnRejected = (context, _) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
                return new ValueTask(new RateLimited(retryAfter, $"this node takes at most {limits.PerNodePerSecond} requests a second; retry later")
                    .ExecuteAsync(context.HttpContext));
            };
        });
        return services;
    }
}
