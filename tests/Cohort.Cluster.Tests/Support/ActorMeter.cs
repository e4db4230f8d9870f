using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Reflection;
using Cohort.Cluster.Metrics;

namespace Cohort.Cluster.Tests.Support;

/// <summary>
/// Totals of the counters of one <see cref="CohortMetrics"/> instance. Every instance has its own meter named
/// "Cohort", and test classes run in parallel, so listening by meter name would count other tests' entities too:
/// this listens to the instance's own meter object.
/// </summary>
public sealed class ActorMeter : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly ConcurrentDictionary<string, long> totals = new(StringComparer.Ordinal);

    public ActorMeter(CohortMetrics metrics)
    {
        var field = typeof(CohortMetrics).GetField("meter", BindingFlags.NonPublic | BindingFlags.Instance)
            ?? throw new InvalidOperationException("CohortMetrics no longer keeps its Meter in a field named 'meter': update ActorMeter");
        var meter = (Meter)field.GetValue(metrics)!;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            totals.AddOrUpdate(instrument.Name, value, (_, total) => total + value));
        listener.Start();
    }

    /// <summary>The sum of what was added to a counter since this listener started, over all its tags.</summary>
    public long Total(string instrument) => totals.GetValueOrDefault(instrument);

    public void Dispose() => listener.Dispose();
}
