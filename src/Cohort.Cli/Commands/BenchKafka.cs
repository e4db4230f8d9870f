using System.Buffers.Text;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Kafka;
using Confluent.Kafka;
using Npgsql;

namespace Cohort.Cli.Commands;

/// <summary>
/// <c>cohort bench kafka</c>: deposit commands produced straight onto the account command topic, as another
/// service would, with a bounded number in flight (the Kafka mock keeps only a window of each partition, so an
/// unpaced producer would lose commands there). With <c>--reply</c> each command asks for an answer on a reply
/// topic of this run: answers free the in-flight slots and give the latency of every command. Without it, the
/// run is paced by the growth of the journal. Either way it ends by checking the run's rows in
/// <c>event_journal</c> (<see cref="BenchJournalCheck"/>), except with <c>--echo</c>, where no node runs and this
/// process answers (<see cref="BenchEchoResponder"/>). With <c>--hot</c> every deposit goes to one account: what
/// a single entity, the one writer of its journal, takes.
/// </summary>
internal sealed class BenchKafka
{
    private static readonly byte[] OkPrefix = "{\"ok\":true"u8.ToArray();

    /// <summary>The one account of <c>--hot</c>: none of the spread runs' accounts, so its journal is its own.</summary>
    private const string HotAccount = "bench-hot";

    private const string Amount = "1.25";

    private readonly Settings settings;
    private readonly string runId = BenchCommand.NewRunId();
    private readonly string topic = CohortTopics.Commands(AccountRegion.TypeName);
    private readonly long[] sentAt;
    private readonly int[] answeredFlags;
    private readonly BenchJournalCheck.Expect[] expected;
    private readonly string[] accountIds;
    private readonly SemaphoreSlim slots;
    private readonly BenchLatencyRecorder latency = new();
    private readonly ManualResetEventSlim finished = new();

    private long sent;
    private long delivered;
    private long deliveryFailures;
    private long answered;
    private long answeredOk;
    private long duplicateAnswers;
    private long strayAnswers;
    private long applied;
    private long firstSendAt;
    private long lastAnswerAt;
    private long tenthAt;
    private long ninetiethAt;
    private string? firstRejection;
    private string? firstDeliveryError;

    private BenchKafka(Settings settings)
    {
        this.settings = settings;
        sentAt = new long[settings.Commands];
        answeredFlags = new int[settings.Commands];
        expected = new BenchJournalCheck.Expect[settings.Commands];
        accountIds = settings.Hot ? [HotAccount] : Enumerable.Range(0, settings.Accounts).Select(n => $"bench-{n}").ToArray();
        slots = new SemaphoreSlim(settings.InFlight);
    }

    private string RequestIdPrefix => $"bench-{runId}-";

    private string ReplyTopic => $"cohort.replies.bench-{runId}";

    /// <summary>The name of the run in its result line: <c>kafka</c>, <c>kafka-hot</c> or <c>kafka-echo</c>.</summary>
    private string Label => settings.Echo ? "kafka-echo" : settings.Hot ? "kafka-hot" : "kafka";

    public static Command CreateCommand()
    {
        var kafka = new BenchKafkaClients.Options("to verify the run; not with --echo", postgresRequired: false);
        var accounts = BenchCommand.PositiveOption("--accounts", "Distinct accounts the deposits go to (bench-0 ... bench-N-1).", 10_000);
        var hot = new Option<bool>("--hot")
        {
            Description = $"Every deposit to one account ({HotAccount}): one entity, so one journal writer, takes them all. Reported as kafka-hot.",
        };
        var commands = BenchCommand.PositiveOption("--commands", "Deposit commands to send.", 300_000);
        var inFlight = BenchCommand.PositiveOption("--in-flight", "Most commands sent but not yet answered (or journaled).", 20_000);
        var reply = new Option<bool>("--reply")
        {
            Description = "Ask for an answer to every command: measures latency and paces by answers (closed loop).",
        };

        var echo = new Option<bool>("--echo")
        {
            Description = "No node: answer every command from this process, through Kafka as a node would, deciding nothing and " +
                "writing no database. Measures what Kafka alone costs per command, the least a node can cost. Implies --reply.",
        };

        var command = new Command("kafka", "Produce deposit commands to cohort.commands.account and measure how fast the accounts apply them.")
        {
            kafka.Bootstrap, kafka.Postgres, accounts, hot, commands, inFlight, reply, echo, kafka.LingerMs, kafka.StallTimeout,
        };
        command.Validators.Add(result =>
        {
            if (!result.GetValue(echo) && string.IsNullOrEmpty(result.GetValue(kafka.Postgres)))
            {
                result.AddError("--postgres is required, except with --echo.");
            }
            if (result.GetValue(hot) && result.GetResult(accounts) is { Implicit: false })
            {
                result.AddError("--hot sends to one account: leave out --accounts.");
            }
        });
        command.SetAction((parseResult, ct) => new BenchKafka(new Settings(
                kafka.Read(parseResult),
                parseResult.GetValue(hot) ? 1 : parseResult.GetValue(accounts),
                parseResult.GetValue(hot),
                parseResult.GetValue(commands),
                parseResult.GetValue(inFlight),
                parseResult.GetValue(reply) || parseResult.GetValue(echo),
                parseResult.GetValue(echo)))
            .RunAsync(ct));
        return command;
    }

    private async Task<int> RunAsync(CancellationToken ct)
    {
        await using var db = settings.Echo ? null : NpgsqlDataSource.Create(settings.Kafka.Postgres);
        var journal = db is null ? null : new BenchJournalCheck(db, RequestIdPrefix, accountIds, decimal.Parse(Amount, CultureInfo.InvariantCulture));
        if (journal is not null)
        {
            await journal.EnsureSchemaAsync(ct);
            await journal.MarkStartAsync(ct);
        }

        Console.WriteLine(Invariant(
            $"bench {Label}: {settings.Commands} deposits to {topic} over {(settings.Hot ? $"one account ({HotAccount})" : $"{settings.Accounts} accounts")}, at most {settings.InFlight} in flight, ") +
            Invariant($"{(settings.Reply ? $"answers on {ReplyTopic}" : "no answers (paced by the journal)")}, request ids {RequestIdPrefix}*") +
            (settings.Echo ? ", answered by this process (--echo: no node, no database)" : ""));

        var (keys, values) = PrepareCommands();
        using var echo = settings.Echo
            ? new BenchEchoResponder(settings.Kafka.Bootstrap, topic, CohortTopics.Events(AccountRegion.TypeName), ct)
            : null;
        using var consumer = settings.Reply ? StartAnswerConsumer(ct) : null;
        using var stopReading = new CancellationTokenSource();
        var reading = consumer is null
            ? Task.CompletedTask
            : Task.Factory.StartNew(() => ReadAnswers(consumer, stopReading.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var pacing = journal is null || settings.Reply ? Task.CompletedTask : PaceByJournalAsync(journal, stopReading.Token);

        using var producer = BenchKafkaClients.BuildProducer("kafka", settings.Kafka, runId, settings.InFlight);
        var sending = Task.Factory.StartNew(() => Send(producer, keys, values, stopReading.Token),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var completed = await WaitForCompletionAsync(ct);
        await stopReading.CancelAsync();
        await sending;
        producer.Flush(TimeSpan.FromSeconds(10));
        await reading;
        await pacing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        consumer?.Close();

        return await ReportAsync(journal, completed, ct);
    }

    private (string[] Keys, byte[][] Values) PrepareCommands()
    {
        // Built before the clock starts: the client shares two cores with the node, and JSON it writes during
        // the run is CPU the node does not get.
        var keys = new string[settings.Commands];
        var values = new byte[settings.Commands][];
        for (var i = 0; i < settings.Commands; i++)
        {
            // Request i goes to account i % accounts: the journal check finds each request's account the same way.
            var accountId = accountIds[i % accountIds.Length];
            keys[i] = accountId;
            values[i] = Encoding.UTF8.GetBytes(
                $$"""{"type":"deposit","requestId":"{{RequestIdPrefix}}{{i}}","accountId":"{{accountId}}","asset":"USDT","amount":"{{Amount}}"}""");
        }
        return (keys, values);
    }

    private void Send(IProducer<string, byte[]> producer, string[] keys, byte[][] values, CancellationToken ct)
    {
        var replyTo = Encoding.UTF8.GetBytes(ReplyTopic);
        BenchKafkaClients.SendPaced(producer, topic, keys.Length, i =>
            {
                var message = new Message<string, byte[]> { Key = keys[i], Value = values[i] };
                if (settings.Reply)
                {
                    message.Headers = new Headers
                    {
                        { CohortHeaders.ReplyTo, replyTo },
                        { CohortHeaders.CorrelationId, Encoding.ASCII.GetBytes(i.ToString(CultureInfo.InvariantCulture)) },
                    };
                }
                return message;
            },
            sending: null, OnDelivered, slots, sentAt, ref firstSendAt, ref sent, ct);
    }

    private void OnDelivered(DeliveryReport<string, byte[]> report)
    {
        if (!BenchKafkaClients.Refused(report, ref delivered, ref firstDeliveryError))
        {
            return;
        }
        Interlocked.Increment(ref deliveryFailures);
        // A command Kafka did not take will never be answered: its slot is free again.
        slots.Release();
        CheckFinished();
    }

    private IConsumer<byte[], byte[]> StartAnswerConsumer(CancellationToken ct)
    {
        var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
            {
                BootstrapServers = settings.Kafka.Bootstrap,
                GroupId = $"cohort-bench-{runId}",
                EnableAutoCommit = false,
                AllowAutoCreateTopics = true,
                FetchWaitMaxMs = 5,
                ConsumeResultFields = "none",
            })
            .SetErrorHandler((_, e) => Console.Error.WriteLine($"bench kafka: answer consumer error {e.Code}: {e.Reason}"))
            .Build();
        try
        {
            consumer.Assign(BenchKafkaClients.TopicEnds("kafka", consumer, ReplyTopic, ct));
            return consumer;
        }
        catch
        {
            consumer.Dispose();
            throw;
        }
    }

    private void ReadAnswers(IConsumer<byte[], byte[]> consumer, CancellationToken ct)
    {
        var tenth = Math.Max(1, settings.Commands / 10);
        var ninetieth = Math.Max(1, settings.Commands * 9L / 10);
        while (!ct.IsCancellationRequested)
        {
            ConsumeResult<byte[], byte[]>? result;
            try
            {
                result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            }
            catch (ConsumeException e)
            {
                Console.Error.WriteLine($"bench kafka: reading answers failed: {e.Error.Reason}");
                continue;
            }
            if (result?.Message is not { } message)
            {
                continue;
            }
            var now = Stopwatch.GetTimestamp();
            if (message.Key is not { } key || !Utf8Parser.TryParse(key, out long index, out var consumed) || consumed != key.Length
                || index < 0 || index >= settings.Commands)
            {
                strayAnswers++;
                continue;
            }
            if (Interlocked.Exchange(ref answeredFlags[index], 1) != 0)
            {
                // A batch replayed after a failed commit answers again; the first answer counted.
                duplicateAnswers++;
                continue;
            }
            latency.Record(Stopwatch.GetElapsedTime(Volatile.Read(ref sentAt[index]), now));
            var value = message.Value ?? [];
            if (value.AsSpan().StartsWith(OkPrefix))
            {
                answeredOk++;
                expected[index] = BenchJournalCheck.Expect.Applied;
            }
            else
            {
                firstRejection ??= Encoding.UTF8.GetString(value);
                expected[index] = RefusalExpectation(value);
            }
            Volatile.Write(ref lastAnswerAt, now);
            var count = Interlocked.Increment(ref answered);
            if (count == tenth)
            {
                tenthAt = now;
            }
            if (count == ninetieth)
            {
                ninetiethAt = now;
            }
            slots.Release();
            CheckFinished();
        }
    }

    /// <summary>
    /// What a refusal leaves in the journal: a refused.v1 row when the account decided it; nothing, or not known,
    /// when the node gave up on it (timeout), could not read it, or the account failed on it.
    /// </summary>
    private static BenchJournalCheck.Expect RefusalExpectation(byte[] answer)
    {
        try
        {
            using var doc = JsonDocument.Parse(answer);
            var code = doc.RootElement.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            return code is CommandReplies.Timeout or CommandReplies.ValidationFailed or CommandReplies.CommandFailed or null
                ? BenchJournalCheck.Expect.Unknown
                : BenchJournalCheck.Expect.Refused;
        }
        catch (JsonException)
        {
            return BenchJournalCheck.Expect.Unknown;
        }
    }

    /// <summary>Without answers, slots come back as the journal grows: one row per deposit.</summary>
    private async Task PaceByJournalAsync(BenchJournalCheck journal, CancellationToken ct)
    {
        var start = await journal.JournalPositionAsync(ct);
        long released = 0;
        while (!ct.IsCancellationRequested)
        {
            var position = await journal.JournalPositionAsync(ct);
            var now = Stopwatch.GetTimestamp();
            var journaled = Math.Min(position - start, Interlocked.Read(ref sent));
            if (journaled > released)
            {
                slots.Release((int)(journaled - released));
                released = journaled;
                Volatile.Write(ref applied, journaled);
                Volatile.Write(ref lastAnswerAt, now);
                if (ninetiethAt == 0 && journaled >= settings.Commands * 9L / 10)
                {
                    ninetiethAt = now;
                }
                else if (tenthAt == 0 && journaled >= settings.Commands / 10)
                {
                    tenthAt = now;
                }
                CheckFinished();
            }
            await Task.Delay(5, ct);
        }
    }

    private void CheckFinished()
    {
        var done = settings.Reply ? Interlocked.Read(ref answered) : Volatile.Read(ref applied);
        if (done + Interlocked.Read(ref deliveryFailures) >= settings.Commands)
        {
            finished.Set();
        }
    }

    /// <returns>false when the run stalled or was cancelled before every command was accounted for.</returns>
    private Task<bool> WaitForCompletionAsync(CancellationToken ct) =>
        BenchKafkaClients.WaitForCompletionAsync("kafka", finished, settings.Kafka.StallTimeout, elapsed =>
        {
            var done = settings.Reply ? Interlocked.Read(ref answered) : Volatile.Read(ref applied);
            var inFlight = Interlocked.Read(ref sent) - done - Interlocked.Read(ref deliveryFailures);
            Console.Error.WriteLine(Invariant(
                $"  {elapsed.TotalSeconds,5:0} s: sent {Interlocked.Read(ref sent)}, {(settings.Reply ? "answered" : "journaled")} {done}, in flight {inFlight}"));
            return Interlocked.Read(ref sent) + done;
        }, ct);

    private async Task<int> ReportAsync(BenchJournalCheck? journal, bool completed, CancellationToken ct)
    {
        var sentCount = Interlocked.Read(ref sent);
        var failures = Interlocked.Read(ref deliveryFailures);
        var done = settings.Reply ? Interlocked.Read(ref answered) : Volatile.Read(ref applied);
        var end = Volatile.Read(ref lastAnswerAt);
        var elapsed = end > firstSendAt ? Stopwatch.GetElapsedTime(firstSendAt, end) : TimeSpan.Zero;

        Console.WriteLine(BenchKafkaClients.DeliveryLine(sentCount, Interlocked.Read(ref delivered), failures, firstDeliveryError));
        if (settings.Reply)
        {
            Console.WriteLine(Invariant(
                $"  answered {done} (ok {answeredOk}, rejected {done - answeredOk}), duplicate answers {duplicateAnswers}, stray answers {strayAnswers}"));
            if (firstRejection is not null)
            {
                Console.WriteLine($"  first rejection: {firstRejection}");
            }
        }
        var rate = elapsed > TimeSpan.Zero ? done / elapsed.TotalSeconds : 0;
        Console.WriteLine(Invariant(
            $"  throughput: {rate:0} commands/s ({done} in {elapsed.TotalSeconds:0.000} s, first send to last {(settings.Reply ? "answer" : "journal poll")})"));
        if (tenthAt > 0 && ninetiethAt > tenthAt)
        {
            var middle = Stopwatch.GetElapsedTime(tenthAt, ninetiethAt);
            var middleCount = settings.Commands * 9L / 10 - settings.Commands / 10;
            Console.WriteLine(Invariant($"  steady state (10%..90% of commands): {middleCount / middle.TotalSeconds:0} commands/s"));
        }
        if (settings.Reply)
        {
            Console.WriteLine($"  latency ms (send to answer): {latency.Summary()}");
        }

        if (journal is null)
        {
            var answeredOnce = completed && failures == 0 && done == sentCount && sentCount == settings.Commands;
            Console.WriteLine(Invariant(
                $"result {Label}: commands_per_s={rate:0} p50_ms={latency.PercentileMs(0.5):0.00} p99_ms={latency.PercentileMs(0.99):0.00} p999_ms={latency.PercentileMs(0.999):0.00} sent={sentCount} answered={done} ok={answeredOnce.ToString().ToLowerInvariant()} client_cpu_s={BenchCommand.ProcessCpuSeconds():0.00}"));
            return answeredOnce ? 0 : 1;
        }

        if (!settings.Reply)
        {
            // Without answers the client knows only what it sent; deposits are never refused for their amount.
            Array.Fill(expected, BenchJournalCheck.Expect.Applied, 0, (int)sentCount);
        }
        // Every answer is sent once its row is durable, so with answers the rows are all there; without them the
        // journal's sequence may run ahead of the commits, so wait for the rows to settle.
        var rows = await journal.CountAsync(ct);
        var settleUntil = Stopwatch.GetTimestamp() + (long)(settings.Kafka.StallTimeout.TotalSeconds * Stopwatch.Frequency);
        while (!settings.Reply && rows < sentCount - failures && Stopwatch.GetTimestamp() < settleUntil)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            rows = await journal.CountAsync(ct);
        }
        var findings = await journal.VerifyAsync(new ArraySegment<BenchJournalCheck.Expect>(expected, 0, (int)sentCount), ct);
        var complete = completed && failures == 0 && findings.Exact && sentCount == settings.Commands
            && findings.Applied + findings.Refused == sentCount;
        Console.WriteLine(findings.Describe());
        Console.WriteLine(Invariant(
            $"result {Label}: commands_per_s={rate:0} p50_ms={latency.PercentileMs(0.5):0.00} p99_ms={latency.PercentileMs(0.99):0.00} p999_ms={latency.PercentileMs(0.999):0.00} accounts={accountIds.Length} sent={sentCount} applied={findings.Applied} refused={findings.Refused} rows={findings.Rows} ok={complete.ToString().ToLowerInvariant()} client_cpu_s={BenchCommand.ProcessCpuSeconds():0.00}"));
        return complete ? 0 : 1;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record Settings(
        BenchKafkaClients.Connection Kafka, int Accounts, bool Hot, int Commands, int InFlight, bool Reply, bool Echo);
}
