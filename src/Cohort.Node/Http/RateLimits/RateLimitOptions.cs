namespace Cohort.Node.Http.RateLimits;

/// <summary>
/// Request rate limits of one node (section <c>Cohort:RateLimits</c>): every <c>/api/</c> request counts against
/// the node's budget; a purchase also counts against its account's. <c>/health</c>, <c>/metrics</c> and
/// <c>/admin</c> are never limited, so probes and scrapers get through a flood.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "Cohort:RateLimits";

    public bool Enabled { get; set; } = true;

    /// <summary>Purchases one account may make per second on this node (<see cref="PurchaseRateLimiter"/>).</summary>
    public int PerAccountPerSecond { get; set; } = 5;

    /// <summary><c>/api/</c> requests this node takes per second, all callers together.</summary>
    public int PerNodePerSecond { get; set; } = 1000;

    /// <summary>Requests over the node's budget that wait for the next second instead of a 429; 0 answers at once.</summary>
    public int QueueLimit { get; set; }
}
