namespace Cohort.Runtime.Metrics;

/// <summary>A Prometheus histogram of durations in seconds, cumulative buckets, safe to update from any thread.</summary>
public sealed class LatencyHistogram
{
    public static readonly double[] Bounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly long[] counts = new long[Bounds.Length + 1];
    private long sumMicros;

    public void Observe(TimeSpan duration)
    {
        var seconds = duration.TotalSeconds;
        var i = 0;
        while (i < Bounds.Length && seconds > Bounds[i])
        {
            i++;
        }
        Interlocked.Increment(ref counts[i]);
        Interlocked.Add(ref sumMicros, (long)(duration.Ticks / 10));
    }

    /// <summary>Cumulative counts per upper bound; the last is +Inf, which is also the total count.</summary>
    public (double Bound, long Count)[] Snapshot(out double sumSeconds)
    {
        sumSeconds = Interlocked.Read(ref sumMicros) / 1e6;
        var result = new (double, long)[counts.Length];
        long cumulative = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            cumulative += Interlocked.Read(ref counts[i]);
            result[i] = (i < Bounds.Length ? Bounds[i] : double.PositiveInfinity, cumulative);
        }
        return result;
    }
}
