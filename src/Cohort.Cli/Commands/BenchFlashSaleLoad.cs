using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Cohort.Cluster.Entities.Orders;
using Cohort.Cluster.Kafka;
using Confluent.Kafka;

namespace Cohort.Cli.Commands;

/// <summary>
/// The load of one flash-sale phase: purchases, each from a new account, for a warm-up and then a measured window.
/// Over HTTP a closed loop of connections (the same loop as <c>cohort bench http</c>); over Kafka a window of
/// purchase commands in flight on <c>cohort.commands.order</c>, each asking for its answer on a reply topic of the
/// phase (as <c>cohort bench kafka --reply</c>), a new one sent as each answer comes. Over HTTP a measured answer is
/// one sent and answered inside the window; over Kafka one that arrived inside it.
/// </summary>
internal static class BenchFlashSaleLoad
{
    private static readonly byte[] OkPrefix = "{\"ok\":true"u8.ToArray();

    public static Task HttpAsync(BenchFlashSalePhase phase, string expected, Uri url, int concurrency, TimeSpan warmup, TimeSpan duration, CancellationToken ct)
    {
        var path = $"api/v1/flash-sales/{phase.Sku}/purchase";
        var (start, measureFrom, measureTo) = BenchHttpClient.MeasuredWindow(warmup, duration);
        return BenchHttpClient.RunLoopsAsync(concurrency, () => BenchHttpClient.ClosedLoopAsync(url, measureFrom, measureTo,
                next: () =>
                {
                    var n = phase.Take();
                    var account = phase.AccountId(n);
                    return (n, path, Encoding.UTF8.GetBytes($$"""{"requestId":"{{account}}","accountId":"{{account}}"}"""));
                },
                judge: (status, body) => status == HttpStatusCode.OK
                    ? BenchFlashSalePhase.Ok
                    : BenchFlashSalePhase.CodeOf(body, string.Create(CultureInfo.InvariantCulture, $"http_{(int)status}")),
                failed: error => error,
                onAnswer: phase.Answer,
                onMeasured: phase.Measure,
                ct),
            start, measureTo, () => phase.Answered, "answers", () => phase.Measured - phase.Count(expected), $"measured not {expected}", ct);
    }

    /// <returns>false when some purchases were still unanswered when the run gave up waiting for them.</returns>
    public static async Task<bool> KafkaAsync(
        BenchFlashSalePhase phase, string expected, BenchKafkaClients.Connection kafka, string runId, int inFlight, TimeSpan warmup, TimeSpan duration,
        CancellationToken ct)
    {
        var topic = CohortTopics.Commands(OrderRegion.TypeName);
        var replyTopic = $"cohort.replies.bench-{runId}-{phase.Name}";
        var sentAt = new ConcurrentDictionary<long, long>();
        using var slots = new SemaphoreSlim(inFlight);
        using var consumer = AnswerConsumer(kafka.Bootstrap, runId, phase.Name, replyTopic, ct);
        using var producer = BenchKafkaClients.BuildProducer("flash-sale", kafka, runId, inFlight);
        using var stop = new CancellationTokenSource();
        var (start, measureFrom, measureTo) = BenchHttpClient.MeasuredWindow(warmup, duration);

        var reading = Task.Factory.StartNew(() => ReadAnswers(consumer, phase, sentAt, slots, measureFrom, measureTo, stop.Token),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var sending = Task.Factory.StartNew(() => Send(producer, topic, replyTopic, phase, sentAt, slots, measureTo, stop.Token),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var complete = await WaitForAnswersAsync(phase, expected, sentAt, sending, start, kafka.StallTimeout, ct);
        await stop.CancelAsync();
        await sending;
        producer.Flush(TimeSpan.FromSeconds(10));
        await reading;
        consumer.Close();
        return complete;
    }

    private static IConsumer<byte[], byte[]> AnswerConsumer(string bootstrap, string runId, string phase, string replyTopic, CancellationToken ct)
    {
        var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
            {
                BootstrapServers = bootstrap,
                GroupId = $"cohort-bench-{runId}-{phase}",
                EnableAutoCommit = false,
                AllowAutoCreateTopics = true,
                FetchWaitMaxMs = 5,
                ConsumeResultFields = "none",
            })
            .SetErrorHandler((_, e) => Console.Error.WriteLine($"bench flash-sale: answer consumer error {e.Code}: {e.Reason}"))
            .Build();
        try
        {
            consumer.Assign(BenchKafkaClients.TopicEnds("flash-sale", consumer, replyTopic, ct));
            return consumer;
        }
        catch
        {
            consumer.Dispose();
            throw;
        }
    }

    /// <summary>Until the measured window ends, a purchase from the next new account each time a slot is free.</summary>
    private static void Send(
        IProducer<string, byte[]> producer, string topic, string replyTopic, BenchFlashSalePhase phase, ConcurrentDictionary<long, long> sentAt,
        SemaphoreSlim slots, long measureTo, CancellationToken ct)
    {
        var replyTo = Encoding.UTF8.GetBytes(replyTopic);
        try
        {
            while (Stopwatch.GetTimestamp() < measureTo)
            {
                if (!slots.Wait(TimeSpan.FromMilliseconds(100), ct))
                {
                    continue;
                }
                var n = phase.Take();
                var account = phase.AccountId(n);
                var message = new Message<string, byte[]>
                {
                    Key = account,
                    Value = Encoding.UTF8.GetBytes($$"""{"type":"purchase","requestId":"{{account}}","accountId":"{{account}}","sku":"{{phase.Sku}}"}"""),
                    Headers = new Headers
                    {
                        { CohortHeaders.ReplyTo, replyTo },
                        { CohortHeaders.CorrelationId, Encoding.ASCII.GetBytes(n.ToString(CultureInfo.InvariantCulture)) },
                    },
                };
                sentAt[n] = Stopwatch.GetTimestamp();
                BenchKafkaClients.ProduceWithBackpressure(producer, topic, message, report =>
                {
                    // A purchase Kafka did not take will never be answered: its slot is free again.
                    if (report.Error.IsError && sentAt.TryRemove(n, out _))
                    {
                        phase.Answer(n, "delivery_failed");
                        slots.Release();
                    }
                });
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static void ReadAnswers(
        IConsumer<byte[], byte[]> consumer, BenchFlashSalePhase phase, ConcurrentDictionary<long, long> sentAt, SemaphoreSlim slots,
        long measureFrom, long measureTo, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            ConsumeResult<byte[], byte[]>? result;
            try
            {
                result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            }
            catch (ConsumeException e)
            {
                Console.Error.WriteLine($"bench flash-sale: reading answers failed: {e.Error.Reason}");
                continue;
            }
            if (result?.Message is not { } message)
            {
                continue;
            }
            var now = Stopwatch.GetTimestamp();
            // An answer to no purchase in flight: a batch replayed after a failed commit answers again; the first counted.
            if (message.Key is not { } key || !Utf8Parser.TryParse(key, out long n, out var consumed) || consumed != key.Length
                || !sentAt.TryRemove(n, out var sent))
            {
                continue;
            }
            var value = message.Value ?? [];
            var outcome = value.AsSpan().StartsWith(OkPrefix) ? BenchFlashSalePhase.Ok : BenchFlashSalePhase.CodeOf(value, "unreadable");
            phase.Answer(n, outcome);
            // Every answer that arrives inside the window counts, whenever it was sent: with thousands in flight an
            // answer takes seconds, so few sent inside a short window would also be answered inside it.
            if (now >= measureFrom && now <= measureTo)
            {
                phase.Measure(outcome, Stopwatch.GetElapsedTime(sent, now));
            }
            slots.Release();
        }
    }

    /// <summary>Progress once a second; once the sending stopped, waits for the purchases in flight, or gives up after a stall.</summary>
    private static async Task<bool> WaitForAnswersAsync(
        BenchFlashSalePhase phase, string expected, ConcurrentDictionary<long, long> sentAt, Task sending, long start, TimeSpan stallTimeout,
        CancellationToken ct)
    {
        long previous = 0;
        var lastProgressAt = Stopwatch.GetTimestamp();
        while (!sending.IsCompleted || !sentAt.IsEmpty)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            var answered = phase.Answered;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {Stopwatch.GetElapsedTime(start).TotalSeconds,5:0} s: {answered - previous} answers/s, in flight {sentAt.Count}, {phase.Measured - phase.Count(expected)} measured not {expected}"));
            if (answered != previous)
            {
                previous = answered;
                lastProgressAt = Stopwatch.GetTimestamp();
            }
            else if (sending.IsCompleted && Stopwatch.GetElapsedTime(lastProgressAt) > stallTimeout)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"bench flash-sale: {sentAt.Count} purchases unanswered {stallTimeout.TotalSeconds:0} s after the last answer, giving up"));
                return false;
            }
        }
        return true;
    }
}
