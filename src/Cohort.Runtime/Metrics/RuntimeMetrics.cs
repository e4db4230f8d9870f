using System.Globalization;
using System.Text;

namespace Cohort.Runtime.Metrics;

/// <summary>The node's counters, rendered in the Prometheus text format at <c>/metrics</c>.</summary>
public sealed class RuntimeMetrics
{
    private long commands;
    private long events;
    private long batches;
    private long transactions;
    private long batchFailures;
    private long invalidCommands;
    private long replayedCommands;
    private long recoveredEntities;
    private long recoveredEvents;
    private long askTimeouts;
    private long localAsks;
    private long kafkaAsks;
    private long reroutedAsks;
    private long reconciliations;
    private long lastMismatches;

    public long EntitiesRecovered => Interlocked.Read(ref recoveredEntities);

    public LatencyHistogram BatchDuration { get; } = new();

    public LatencyHistogram AskDuration { get; } = new();

    /// <summary>The part of <see cref="BatchDuration"/> spent reading the journal: stored results, entities not in memory.</summary>
    public LatencyHistogram BatchReadDuration { get; } = new();

    /// <summary>The part of <see cref="BatchDuration"/> from handing the batch to the group commit until its transaction committed.</summary>
    public LatencyHistogram BatchCommitDuration { get; } = new();

    /// <param name="commit">Null when the batch wrote nothing (every command invalid), so it had no transaction.</param>
    public void BatchCommitted(int commandCount, int eventCount, TimeSpan duration, TimeSpan read, TimeSpan? commit)
    {
        Interlocked.Add(ref commands, commandCount);
        Interlocked.Add(ref events, eventCount);
        Interlocked.Increment(ref batches);
        BatchDuration.Observe(duration);
        BatchReadDuration.Observe(read);
        if (commit is { } committed)
        {
            BatchCommitDuration.Observe(committed);
        }
    }

    public void TransactionCommitted() => Interlocked.Increment(ref transactions);

    public void BatchFailed() => Interlocked.Increment(ref batchFailures);

    public void CommandInvalid() => Interlocked.Increment(ref invalidCommands);

    public void CommandReplayed() => Interlocked.Increment(ref replayedCommands);

    public void EntityRecovered(int eventCount)
    {
        Interlocked.Increment(ref recoveredEntities);
        Interlocked.Add(ref recoveredEvents, eventCount);
    }

    public void AskTimedOut() => Interlocked.Increment(ref askTimeouts);

    public void AskAnswered(bool local, TimeSpan duration)
    {
        Interlocked.Increment(ref local ? ref localAsks : ref kafkaAsks);
        AskDuration.Observe(duration);
    }

    public void AskRerouted() => Interlocked.Increment(ref reroutedAsks);

    /// <param name="comparedAll">
    /// The run compared every account: its count replaces the gauge. A run that compared only the accounts new events
    /// touched adds to it, so a mismatch stays visible until a complete comparison no longer finds it.
    /// </param>
    public void Reconciled(bool comparedAll, int mismatches)
    {
        Interlocked.Increment(ref reconciliations);
        if (comparedAll)
        {
            Interlocked.Exchange(ref lastMismatches, mismatches);
        }
        else
        {
            Interlocked.Add(ref lastMismatches, mismatches);
        }
    }

    public void Render(StringBuilder text)
    {
        Counter(text, "cohort_commands_processed_total", "Commands decided and committed by this node's partitions.", Interlocked.Read(ref commands));
        Counter(text, "cohort_events_appended_total", "Events appended to the journal by this node.", Interlocked.Read(ref events));
        Counter(text, "cohort_batches_committed_total", "Batch transactions committed.", Interlocked.Read(ref batches));
        Counter(text, "cohort_commit_transactions_total",
            "Transactions that committed batches; one carries the batches of every partition ready at the time.", Interlocked.Read(ref transactions));
        Counter(text, "cohort_batch_failures_total", "Batch transactions that failed and were retried.", Interlocked.Read(ref batchFailures));
        Counter(text, "cohort_commands_invalid_total", "Command messages refused as malformed.", Interlocked.Read(ref invalidCommands));
        Counter(text, "cohort_commands_replayed_total", "Commands answered from their stored first result.", Interlocked.Read(ref replayedCommands));
        Counter(text, "cohort_entities_recovered_total", "Entities loaded from snapshot and journal.", Interlocked.Read(ref recoveredEntities));
        Counter(text, "cohort_events_replayed_total", "Journal events replayed while recovering entities.", Interlocked.Read(ref recoveredEvents));
        Counter(text, "cohort_ask_timeouts_total", "HTTP commands answered 504 because the owner did not answer in time.", Interlocked.Read(ref askTimeouts));
        Counter(text, "cohort_asks_local_total", "Commands answered by this node's own partition, without Kafka.", Interlocked.Read(ref localAsks));
        Counter(text, "cohort_asks_kafka_total", "Commands answered by their owner through Kafka.", Interlocked.Read(ref kafkaAsks));
        Counter(text, "cohort_asks_rerouted_total",
            "Local commands sent again through Kafka because their partition was released first.", Interlocked.Read(ref reroutedAsks));
        Counter(text, "cohort_reconciliations_total", "Reconciliations run on this node.", Interlocked.Read(ref reconciliations));
        text.Append("# HELP cohort_reconciliation_mismatches Mismatches found by this node's last reconciliation of every account, and since then in new events.\n")
            .Append("# TYPE cohort_reconciliation_mismatches gauge\n")
            .Append("cohort_reconciliation_mismatches ").Append(Interlocked.Read(ref lastMismatches)).Append('\n');
        Histogram(text, "cohort_batch_duration_seconds", "Time to decide and commit one batch.", BatchDuration);
        Histogram(text, "cohort_batch_read_seconds",
            "Part of a batch's time spent reading the journal (stored results of its request ids, entities not in memory).", BatchReadDuration);
        Histogram(text, "cohort_batch_commit_seconds",
            "Part of a batch's time from handing it to the group commit until its transaction committed.", BatchCommitDuration);
        Histogram(text, "cohort_ask_duration_seconds", "Time from sending a command to receiving its answer.", AskDuration);
    }

    private static void Counter(StringBuilder text, string name, string help, long value) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(" counter\n")
            .Append(name).Append(' ').Append(value).Append('\n');

    private static void Histogram(StringBuilder text, string name, string help, LatencyHistogram histogram)
    {
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(" histogram\n");
        var buckets = histogram.Snapshot(out var sum);
        foreach (var (bound, count) in buckets)
        {
            var le = double.IsPositiveInfinity(bound) ? "+Inf" : bound.ToString(CultureInfo.InvariantCulture);
            text.Append(name).Append("_bucket{le=\"").Append(le).Append("\"} ").Append(count).Append('\n');
        }
        text.Append(name).Append("_sum ").Append(sum.ToString(CultureInfo.InvariantCulture)).Append('\n');
        text.Append(name).Append("_count ").Append(buckets[^1].Count).Append('\n');
    }
}
