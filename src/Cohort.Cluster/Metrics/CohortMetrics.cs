using System.Diagnostics.Metrics;

namespace Cohort.Cluster.Metrics;

/// <summary>
/// The node's instruments, on the meter <c>Cohort</c>; <c>/metrics</c> renders them in Prometheus' text format
/// (a counter <c>cohort_x</c> appears as <c>cohort_x_total</c>, a histogram in seconds as <c>cohort_x_seconds</c>).
/// </summary>
public sealed class CohortMetrics : IDisposable
{
    public const string MeterName = "Cohort";

    private static readonly double[] SecondsBuckets =
        [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30];

    private readonly Meter meter = new(MeterName);

    /// <summary>This instance's meter: every node in one process (tests) has one named <see cref="MeterName"/>.</summary>
    internal Meter Meter => meter;
    private readonly Counter<long> commands;
    private readonly Counter<long> records;
    private readonly Counter<long> writes;
    private readonly Counter<long> entityFailures;
    private readonly Counter<long> recoveries;
    private readonly Counter<long> replayedRecords;
    private readonly Counter<long> askTimeouts;
    private readonly Counter<long> kafkaCommands;
    private readonly Counter<long> deadLetters;
    private readonly Counter<long> reconciliations;
    private readonly Counter<long> soldOutFromMemory;
    private readonly Histogram<double> writeDuration;
    private readonly Histogram<double> askDuration;
    private readonly Histogram<double> kafkaBatchDuration;
    private long mismatches;
    private readonly Dictionary<string, (long Behind, double Seconds)> projectionLag = new(StringComparer.Ordinal);

    public CohortMetrics()
    {
        commands = meter.CreateCounter<long>("cohort_commands", description: "Commands answered by this node's entities, by entity type and outcome.");
        records = meter.CreateCounter<long>("cohort_journal_records", description: "Journal records (events and refusals) written by this node's entities.");
        writes = meter.CreateCounter<long>("cohort_journal_writes", description: "Journal writes of this node's entities; each carries every command that arrived while the previous one was in flight.");
        entityFailures = meter.CreateCounter<long>("cohort_entity_failures", description: "Entities that threw on a command and restarted from their journal.");
        recoveries = meter.CreateCounter<long>("cohort_entities_recovered", description: "Entities started from their snapshot and journal.");
        replayedRecords = meter.CreateCounter<long>("cohort_records_replayed", description: "Journal records replayed while recovering entities.");
        askTimeouts = meter.CreateCounter<long>("cohort_ask_timeouts", description: "Commands this node sent to an entity that got no answer in time.");
        kafkaCommands = meter.CreateCounter<long>("cohort_kafka_commands", description: "Command messages consumed from Kafka, by topic and outcome.");
        deadLetters = meter.CreateCounter<long>("cohort_dead_letters", description: "Command messages put on a dead-letter topic, by topic and reason.");
        reconciliations = meter.CreateCounter<long>("cohort_reconciliations", description: "Reconciliations run on this node.");
        soldOutFromMemory = meter.CreateCounter<long>("cohort_sold_out_from_memory",
            description: "Requests this node answered sold_out from its sold-out board, without asking the stock entity.");
        writeDuration = meter.CreateHistogram("cohort_journal_write_duration", "s", "Time from handing a batch of records to the journal until it is durable.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        askDuration = meter.CreateHistogram("cohort_ask_duration", "s", "Time from sending a command to an entity until its answer, from this node.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        kafkaBatchDuration = meter.CreateHistogram("cohort_kafka_batch_duration", "s", "Time from a batch of Kafka commands leaving the consumer until every one is answered.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        meter.CreateObservableGauge("cohort_reconciliation_mismatches", () => Interlocked.Read(ref mismatches),
            description: "Mismatches the last reconciliation on this node found.");
        meter.CreateObservableGauge("cohort_projection_lag_records", () => ProjectionLag(l => l.Behind),
            description: "Journal records a projection has not handled yet.");
        meter.CreateObservableGauge("cohort_projection_lag", () => ProjectionLag(l => l.Seconds), unit: "s",
            description: "Age of the oldest journal record a projection has not handled yet.");
    }

    public void Command(string entityType, string outcome) =>
        commands.Add(1, new("entity", entityType), new("outcome", outcome));

    public void Written(string entityType, int recordCount, TimeSpan duration)
    {
        records.Add(recordCount, new KeyValuePair<string, object?>("entity", entityType));
        writes.Add(1, new KeyValuePair<string, object?>("entity", entityType));
        writeDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("entity", entityType));
    }

    public void EntityFailed(string entityType) => entityFailures.Add(1, new KeyValuePair<string, object?>("entity", entityType));

    public void Recovered(string entityType, long replayed)
    {
        recoveries.Add(1, new KeyValuePair<string, object?>("entity", entityType));
        replayedRecords.Add(replayed, new KeyValuePair<string, object?>("entity", entityType));
    }

    public void Asked(string entityType, TimeSpan duration) =>
        askDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("entity", entityType));

    public void AskTimedOut(string entityType) => askTimeouts.Add(1, new KeyValuePair<string, object?>("entity", entityType));

    public void KafkaCommand(string topic, string outcome) =>
        kafkaCommands.Add(1, new("topic", topic), new("outcome", outcome));

    public void DeadLettered(string topic, string reason) =>
        deadLetters.Add(1, new("topic", topic), new("reason", reason));

    /// <summary>Not labelled by SKU: one series per product would grow without bound.</summary>
    public void SoldOutAnsweredFromMemory() => soldOutFromMemory.Add(1);

    public void KafkaBatch(TimeSpan duration) => kafkaBatchDuration.Record(duration.TotalSeconds);

    public void Reconciled(int mismatchCount)
    {
        reconciliations.Add(1);
        Interlocked.Exchange(ref mismatches, mismatchCount);
    }

    public void ProjectionBehind(string projection, long records, TimeSpan age)
    {
        lock (projectionLag)
        {
            projectionLag[projection] = (records, age.TotalSeconds);
        }
    }

    private IEnumerable<Measurement<T>> ProjectionLag<T>(Func<(long Behind, double Seconds), T> pick) where T : struct
    {
        lock (projectionLag)
        {
            return projectionLag.Select(p => new Measurement<T>(pick(p.Value), new KeyValuePair<string, object?>("projection", p.Key))).ToList();
        }
    }

    public void Dispose() => meter.Dispose();
}
