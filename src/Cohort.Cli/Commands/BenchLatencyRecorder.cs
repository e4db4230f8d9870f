using System.Diagnostics;
using System.Globalization;
using System.Numerics;

namespace Cohort.Cli.Commands;

/// <summary>
/// A log-linear histogram of latencies in microseconds (HdrHistogram's idea): exact below 128 µs, then 64
/// buckets per power of two, so every percentile is within 1.6 % of the true value. Fixed memory, safe to
/// record into from any number of threads.
/// </summary>
internal sealed class BenchLatencyRecorder
{
    private const int Linear = 128;
    private const int SubBuckets = 64;
    private const int MaxMagnitude = 42; // 2^42 µs is 51 days: nothing a benchmark waits for.

    private readonly long[] counts = new long[Linear + (MaxMagnitude - 6) * SubBuckets];
    private long count;
    private long sumMicros;
    private long maxMicros;

    public long Count => Interlocked.Read(ref count);

    /// <summary>Records the time from <paramref name="startTimestamp"/> (a <see cref="Stopwatch"/> timestamp) to now.</summary>
    public void RecordSince(long startTimestamp) => Record(Stopwatch.GetElapsedTime(startTimestamp));

    public void Record(TimeSpan latency)
    {
        var micros = Math.Max(0L, latency.Ticks / (TimeSpan.TicksPerMillisecond / 1000));
        Interlocked.Increment(ref counts[Index(micros)]);
        Interlocked.Increment(ref count);
        Interlocked.Add(ref sumMicros, micros);
        var max = Interlocked.Read(ref maxMicros);
        while (micros > max)
        {
            var seen = Interlocked.CompareExchange(ref maxMicros, micros, max);
            if (seen == max)
            {
                break;
            }
            max = seen;
        }
    }

    /// <summary>The latency below or at which <paramref name="quantile"/> of the recorded values lie, in milliseconds.</summary>
    public double PercentileMs(double quantile)
    {
        var total = Count;
        if (total == 0)
        {
            return double.NaN;
        }
        var rank = Math.Max(1L, (long)Math.Ceiling(quantile * total));
        long cumulative = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            cumulative += Interlocked.Read(ref counts[i]);
            if (cumulative >= rank)
            {
                return Math.Min(UpperBound(i), Interlocked.Read(ref maxMicros)) / 1000.0;
            }
        }
        return MaxMs;
    }

    public double MeanMs => Count == 0 ? double.NaN : Interlocked.Read(ref sumMicros) / 1000.0 / Count;

    public double MaxMs => Interlocked.Read(ref maxMicros) / 1000.0;

    /// <summary>"p50 1.23  p99 4.56  p999 7.89  max 10.11  mean 1.50" (milliseconds).</summary>
    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"p50 {PercentileMs(0.50):0.00}  p99 {PercentileMs(0.99):0.00}  p999 {PercentileMs(0.999):0.00}  max {MaxMs:0.00}  mean {MeanMs:0.00}");

    private static int Index(long micros)
    {
        if (micros < Linear)
        {
            return (int)micros;
        }
        var magnitude = Math.Min(BitOperations.Log2((ulong)micros), MaxMagnitude - 1);
        var shift = magnitude - 6;
        var top = Math.Min(micros >> shift, 2 * SubBuckets - 1); // 64..127
        return Linear + (magnitude - 7) * SubBuckets + (int)(top - SubBuckets);
    }

    private static long UpperBound(int index)
    {
        if (index < Linear)
        {
            return index;
        }
        var magnitude = (index - Linear) / SubBuckets + 7;
        var top = (index - Linear) % SubBuckets + SubBuckets;
        var shift = magnitude - 6;
        return ((long)(top + 1) << shift) - 1;
    }
}
