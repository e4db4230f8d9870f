namespace Cohort.Node.Http.RateLimits;

/// <summary>
/// The <c>429 rate_limited</c> answer, as problem+json like every other error, with <c>Retry-After</c> in whole
/// seconds (rounded up, at least 1: HTTP has no smaller unit, and 0 would invite an immediate retry).
/// </summary>
internal sealed class RateLimited(TimeSpan retryAfter, string detail) : IResult
{
    public static long Seconds(TimeSpan retryAfter) => Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers.RetryAfter = Seconds(retryAfter).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problems.Of(Problems.RateLimited, detail).ExecuteAsync(httpContext);
    }
}
