using System.Diagnostics.Metrics;
using Cohort.Cluster.Metrics;

namespace Cohort.Cluster.Tests.Support;

/// <summary>
/// Listens to one <see cref="CohortMetrics"/> (a node's, or an actor test's): counters summed per tag set from when the
/// listener started, observable gauges read on demand. Every instance in the test process has a meter named
/// <c>Cohort</c>, and test classes run in parallel: only this instance's meter is listened to.
/// </summary>
internal sealed class MeterReader : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly Meter meter;
    private readonly Dictionary<string, long> counters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> gauges = new(StringComparer.Ordinal);

    public MeterReader(CohortMetrics metrics)
    {
        // Every node's meter is named "Cohort": its own Meter is what tells this node's measurements from another's.
        meter = metrics.Meter;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = Key(instrument.Name, tags);
            lock (counters)
            {
                if (instrument is ObservableGauge<long>)
                {
                    gauges[key] = value;
                }
                else
                {
                    counters[key] = counters.GetValueOrDefault(key) + value;
                }
            }
        });
        listener.Start();
    }

    /// <returns>What <paramref name="name"/> counted with exactly these tags since the listener started.</returns>
    public long Counter(string name, params (string Key, string Value)[] tags)
    {
        lock (counters)
        {
            return counters.GetValueOrDefault(Key(name, tags));
        }
    }

    /// <returns>What <paramref name="name"/> counted since the listener started, over all its tag sets.</returns>
    public long Total(string name)
    {
        lock (counters)
        {
            return counters.Where(c => c.Key.StartsWith(name + "{", StringComparison.Ordinal)).Sum(c => c.Value);
        }
    }

    /// <returns>The gauge's value as its callback reports it now, or null when it reported none.</returns>
    public long? Gauge(string name, params (string Key, string Value)[] tags)
    {
        listener.RecordObservableInstruments();
        lock (counters)
        {
            return gauges.TryGetValue(Key(name, tags), out var value) ? value : null;
        }
    }

    public void Dispose() => listener.Dispose();

    private static string Key(string name, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var pairs = new List<(string, string)>(tags.Length);
        foreach (var tag in tags)
        {
            pairs.Add((tag.Key, tag.Value?.ToString() ?? ""));
        }
        return Key(name, [.. pairs]);
    }

    private static string Key(string name, (string Key, string Value)[] tags) =>
        $"{name}{{{string.Join(",", tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"))}}}";
}
