using Cohort.Node.Http.RateLimits;
using Microsoft.Extensions.Options;

namespace Cohort.Node.Tests.Http.RateLimits;

/// <summary>
/// The per-account limit of purchases. The windows here are an hour long, so no window turns over during a test
/// and what is admitted does not depend on how fast the machine runs it.
/// </summary>
public sealed class PurchaseRateLimiterTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    [Fact]
    public void The_sixth_purchase_of_an_account_in_its_window_is_refused_while_another_account_is_admitted()
    {
        using var limiter = new PurchaseRateLimiter(enabled: true, permits: 5, Hour);
        for (var i = 0; i < 5; i++)
        {
            Assert.True(limiter.TryAcquire("alice", out var none));
            Assert.Equal(TimeSpan.Zero, none);
        }

        Assert.False(limiter.TryAcquire("alice", out var retryAfter));
        Assert.True(retryAfter > TimeSpan.Zero);
        Assert.True(limiter.TryAcquire("bob", out _));
        Assert.False(limiter.TryAcquire("alice", out _));
    }

    [Fact]
    public void Account_ids_are_told_apart_by_case()
    {
        using var limiter = new PurchaseRateLimiter(enabled: true, permits: 1, Hour);
        Assert.True(limiter.TryAcquire("alice", out _));
        Assert.True(limiter.TryAcquire("Alice", out _));
        Assert.False(limiter.TryAcquire("alice", out _));
    }

    [Fact]
    public void Disabled_admits_everything()
    {
        using var limiter = new PurchaseRateLimiter(Options.Create(new RateLimitOptions { Enabled = false, PerAccountPerSecond = 1 }));
        for (var i = 0; i < 100; i++)
        {
            Assert.True(limiter.TryAcquire("alice", out _));
        }
    }

    [Fact]
    public void Defaults_are_five_purchases_per_account_and_a_thousand_requests_per_node_a_second()
    {
        var options = new RateLimitOptions();
        Assert.Equal((true, 5, 1000, 0), (options.Enabled, options.PerAccountPerSecond, options.PerNodePerSecond, options.QueueLimit));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(999, 1)]
    [InlineData(1000, 1)]
    [InlineData(1001, 2)]
    [InlineData(3_600_000, 3600)]
    public void Retry_after_is_whole_seconds_rounded_up_and_at_least_one(int milliseconds, long seconds) =>
        Assert.Equal(seconds, RateLimited.Seconds(TimeSpan.FromMilliseconds(milliseconds)));
}
