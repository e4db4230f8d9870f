using System.Diagnostics;

namespace Cohort.Cluster.Tests.Support;

/// <summary>
/// Polling instead of sleeping: a test waits exactly as long as the node needs, and a timeout says what it saw last.
/// </summary>
internal static class NodeWait
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <returns>The first value of <paramref name="probe"/> that <paramref name="done"/> accepts.</returns>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, Func<T, string> describe)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"not within {timeout.TotalSeconds:0.#} s: {describe(value)}");
            }
            await Task.Delay(Interval);
        }
    }

    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe) =>
        UntilAsync(() => Task.FromResult(condition()), ok => ok, timeout, _ => describe());
}
