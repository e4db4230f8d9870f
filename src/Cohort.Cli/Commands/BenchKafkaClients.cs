using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;

namespace Cohort.Cli.Commands;

/// <summary>
/// What <c>cohort bench kafka</c> and <c>transfers-kafka</c> share: their Kafka options, the producer, how a send
/// waits for room and how a run waits for its end. One copy, so both runs load the cluster the same way and their
/// figures stay comparable.
/// </summary>
internal static class BenchKafkaClients
{
    /// <param name="bench">The command's name in its messages: <c>kafka</c>, <c>transfers-kafka</c>.</param>
    public static IProducer<string, byte[]> BuildProducer(string bench, Connection connection, string runId, int inFlight) =>
        new ProducerBuilder<string, byte[]>(new ProducerConfig
            {
                BootstrapServers = connection.Bootstrap,
                ClientId = $"cohort-bench-{runId}",
                Acks = Acks.All,
                EnableIdempotence = true,
                LingerMs = connection.LingerMs,
                BatchSize = 1_000_000,
                BatchNumMessages = 10_000,
                QueueBufferingMaxMessages = Math.Max(100_000, inFlight * 2),
                // A node routes each command by the entity id inside it, whatever its partition; Kafka's standard
                // key hash keeps one account's commands on one partition, in order, as a Java client would.
                Partitioner = Partitioner.Murmur2Random,
            })
            .SetErrorHandler((_, e) => Console.Error.WriteLine($"bench {bench}: producer error {e.Code}: {e.Reason}"))
            .Build();

    /// <summary>Produces, serving delivery reports while librdkafka's queue is full rather than failing the send.</summary>
    public static void ProduceWithBackpressure(
        IProducer<string, byte[]> producer, string topic, Message<string, byte[]> message, Action<DeliveryReport<string, byte[]>> onDelivered)
    {
        while (true)
        {
            try
            {
                producer.Produce(topic, message, onDelivered);
                return;
            }
            catch (ProduceException<string, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(10));
            }
        }
    }

    /// <summary>
    /// Sends messages 0 .. <paramref name="count"/>-1 to <paramref name="topic"/>, each once one of
    /// <paramref name="slots"/> is free (the Kafka mock keeps only a window of each partition, so an unpaced
    /// producer would lose messages there). Stamps each send time just before the send, then lets
    /// <paramref name="sending"/> note the message as in flight. Stops quietly when <paramref name="ct"/> is cancelled.
    /// </summary>
    public static void SendPaced(
        IProducer<string, byte[]> producer, string topic, int count, Func<int, Message<string, byte[]>> message, Action<int>? sending,
        Action<DeliveryReport<string, byte[]>> onDelivered, SemaphoreSlim slots, long[] sentAt, ref long firstSendAt, ref long sent,
        CancellationToken ct)
    {
        try
        {
            for (var i = 0; i < count; i++)
            {
                slots.Wait(ct);
                var next = message(i);
                var now = Stopwatch.GetTimestamp();
                if (i == 0)
                {
                    Volatile.Write(ref firstSendAt, now);
                }
                Volatile.Write(ref sentAt[i], now);
                sending?.Invoke(i);
                ProduceWithBackpressure(producer, topic, next, onDelivered);
                Interlocked.Increment(ref sent);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Counts a report of a message Kafka took; of one it refused, keeps the first reason and returns true, so the
    /// caller can free the message's slot (it will never be answered).
    /// </summary>
    public static bool Refused(DeliveryReport<string, byte[]> report, ref long delivered, ref string? firstDeliveryError)
    {
        if (!report.Error.IsError)
        {
            Interlocked.Increment(ref delivered);
            return false;
        }
        Interlocked.CompareExchange(ref firstDeliveryError, report.Error.Reason, null);
        return true;
    }

    /// <summary>
    /// Once a second until <paramref name="finished"/> is set: <paramref name="tick"/> prints the progress (it gets
    /// the time since the wait began) and returns a count that grows while the run moves, or null when the run
    /// cannot finish any more. A count unchanged for <paramref name="stallTimeout"/> ends the wait too.
    /// </summary>
    /// <returns>false when the run stalled, failed or was cancelled before it finished.</returns>
    public static async Task<bool> WaitForCompletionAsync(
        string bench, ManualResetEventSlim finished, TimeSpan stallTimeout, Func<TimeSpan, long?> tick, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        long lastProgress = -1;
        var lastProgressAt = started;
        while (!finished.IsSet)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine($"bench {bench}: cancelled");
                return false;
            }
            if (tick(Stopwatch.GetElapsedTime(started)) is not { } progress)
            {
                return false;
            }
            if (progress != lastProgress)
            {
                lastProgress = progress;
                lastProgressAt = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(lastProgressAt) > stallTimeout)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bench {bench}: no progress for {stallTimeout.TotalSeconds:0} s, giving up"));
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Every partition of <paramref name="topic"/> at its current end, to read what is produced from now on.
    /// Reading the topic's metadata makes a broker that allows it (the mock does) create the topic, before the
    /// first answer is produced to it; a topic still missing after 60 s is an error.
    /// </summary>
    public static List<TopicPartitionOffset> TopicEnds<TKey, TValue>(string bench, IConsumer<TKey, TValue> consumer, string topic, CancellationToken ct)
    {
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 60;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.SingleOrDefault(t => t.Topic == topic);
                if (metadata is { Partitions.Count: > 0 } && metadata.Error.Code == ErrorCode.NoError)
                {
                    return metadata.Partitions
                        .Select(p => new TopicPartition(topic, p.PartitionId))
                        .Select(tp => new TopicPartitionOffset(tp, consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10)).High))
                        .ToList();
                }
            }
            catch (KafkaException e) when (Stopwatch.GetTimestamp() < deadline)
            {
                Console.Error.WriteLine($"bench {bench}: topic {topic} not ready ({e.Error.Reason}); retrying");
            }
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new InvalidOperationException($"the topic {topic} did not appear within 60 s");
            }
            ct.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>The report's first line: what Kafka took and what it refused.</summary>
    public static string DeliveryLine(long sent, long delivered, long failures, string? firstDeliveryError) =>
        string.Create(CultureInfo.InvariantCulture,
            $"  sent {sent}, delivered {delivered}, delivery failures {failures}{(firstDeliveryError is null ? "" : $" (first: {firstDeliveryError})")}");

    /// <summary>
    /// The options every Kafka bench takes. The command lists them itself, so each keeps its own order in
    /// <c>--help</c>; <see cref="Read"/> gathers their values.
    /// </summary>
    /// <param name="postgresPurpose">What the run uses the database for, in <c>--postgres</c>'s description.</param>
    /// <param name="postgresRequired">false when the command can run without a database and checks that itself.</param>
    internal sealed class Options(string postgresPurpose, bool postgresRequired = true)
    {
        public Option<string> Bootstrap { get; } = BenchCommand.RequiredOption("--bootstrap", "Kafka bootstrap servers.");

        public Option<string> Postgres { get; } = new("--postgres")
        {
            Description = $"PostgreSQL connection string of the cluster's database ({postgresPurpose}).",
            Required = postgresRequired,
        };

        public Option<int> LingerMs { get; } = BenchCommand.PositiveOption("--linger-ms", "Producer linger in milliseconds.", 5);

        public Option<int> StallTimeout { get; } =
            BenchCommand.PositiveOption("--stall-timeout", "Seconds without progress after which the run gives up.", 30);

        public Connection Read(ParseResult parseResult) => new(
            parseResult.GetValue(Bootstrap)!,
            parseResult.GetValue(Postgres) ?? "",
            parseResult.GetValue(LingerMs),
            TimeSpan.FromSeconds(parseResult.GetValue(StallTimeout)));
    }

    /// <summary>What <see cref="Options"/> were given: where the cluster is and how patient the run is.</summary>
    internal sealed record Connection(string Bootstrap, string Postgres, int LingerMs, TimeSpan StallTimeout);
}
