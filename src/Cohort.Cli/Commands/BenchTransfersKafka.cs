using System.CommandLine;
using System.Diagnostics;
using System.Text;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Entities.Transfers;
using Cohort.Cluster.Kafka;
using Confluent.Kafka;
using Npgsql;
using static Cohort.Cli.Commands.BenchTransfers;

namespace Cohort.Cli.Commands;

/// <summary>
/// <c>cohort bench transfers-kafka</c>: funds fresh accounts with deposits produced onto the account command topic
/// (not measured), then produces transfer commands onto <c>cohort.commands.transfer</c> (key = request id, which is
/// the transfer's id), at most <c>--in-flight</c> unfinished at a time. An answer on Kafka comes once the transfer
/// is started, not finished, so none is asked for: a transfer is finished when its journal has its
/// <c>transfer.completed.v1</c> or <c>transfer.rejected.v1</c> row, and one query every <c>--poll-ms</c> looks up
/// the whole in-flight set by persistence id. A transfer's latency runs from its send to the start of the poll
/// that first saw it final, so it is late by up to one poll interval plus one query; the polls are PostgreSQL work
/// the node does not do for itself, and the run reports what they cost.
/// </summary>
internal sealed class BenchTransfersKafka
{
    private const byte Open = 0;
    private const byte Completed = 1;
    private const byte Rejected = 2;
    private const byte Failed = 3;

    private readonly Settings settings;
    private readonly string runId = BenchCommand.NewRunId();
    private readonly string[] accountIds;
    private readonly string[] transferIds;
    private readonly string[] persistenceIds;
    private readonly (int From, int To)[] pairs;
    private readonly long[] sentAt;
    private readonly byte[] outcome;
    private readonly HashSet<int> open = [];
    private readonly Lock openLock = new();
    private readonly SemaphoreSlim slots;
    private readonly BenchLatencyRecorder latency = new();
    private readonly BenchLatencyRecorder rejectedLatency = new();
    private readonly ManualResetEventSlim finished = new();

    private long sent;
    private long delivered;
    private long deliveryFailures;
    private long completed;
    private long rejected;
    private long firstSendAt;
    private long lastDoneAt;
    private long tenthAt;
    private long ninetiethAt;
    private long polls;
    private long pollTicks;
    private long polledIds;
    private string? firstDeliveryError;

    private BenchTransfersKafka(Settings settings)
    {
        this.settings = settings;
        accountIds = AccountIds(runId, settings.Accounts);
        transferIds = Enumerable.Range(0, settings.Transfers).Select(i => $"{TransferIdPrefix}{i}").ToArray();
        persistenceIds = transferIds.Select(BenchTransfersCheck.TransferPersistenceId).ToArray();
        pairs = Enumerable.Range(0, settings.Transfers).Select(_ => RandomPair(settings.Accounts)).ToArray();
        sentAt = new long[settings.Transfers];
        outcome = new byte[settings.Transfers];
        slots = new SemaphoreSlim(settings.InFlight);
    }

    private string TransferIdPrefix => $"bt-{runId}-";

    private static int PersistenceIdPrefixLength => PersistenceIds.Prefix(TransferRegion.TypeName).Length;

    private static string AccountTopic => CohortTopics.Commands(AccountRegion.TypeName);

    private static string TransferTopic => CohortTopics.Commands(TransferRegion.TypeName);

    private long Done => Interlocked.Read(ref completed) + Interlocked.Read(ref rejected) + Interlocked.Read(ref deliveryFailures);

    public static Command CreateCommand()
    {
        var kafka = new BenchKafkaClients.Options("to follow and verify the run");
        var accounts = AccountsOption();
        var transfers = BenchCommand.PositiveOption("--transfers", "Transfer commands to send.", 50_000);
        var inFlight = BenchCommand.PositiveOption("--in-flight", "Most transfers sent but not yet seen final in the journal.", 5_000);
        var pollMs = BenchCommand.PositiveOption("--poll-ms", "How often the in-flight transfers are looked up in the journal.", 20);

        var command = new Command("transfers-kafka",
            "Fund accounts, then produce transfers to cohort.commands.transfer and follow them in the journal: transfers/s and latency.")
        {
            kafka.Bootstrap, kafka.Postgres, accounts, transfers, inFlight, pollMs, kafka.LingerMs, kafka.StallTimeout,
        };
        command.SetAction((parseResult, ct) => new BenchTransfersKafka(new Settings(
                kafka.Read(parseResult),
                parseResult.GetValue(accounts),
                parseResult.GetValue(transfers),
                parseResult.GetValue(inFlight),
                TimeSpan.FromMilliseconds(parseResult.GetValue(pollMs))))
            .RunAsync(ct));
        return command;
    }

    private async Task<int> RunAsync(CancellationToken ct)
    {
        await using var db = NpgsqlDataSource.Create(settings.Kafka.Postgres);
        var check = new BenchTransfersCheck(db, accountIds);
        await check.EnsureSchemaAsync(ct);
        using var producer = BenchKafkaClients.BuildProducer("transfers-kafka", settings.Kafka, runId, settings.InFlight);

        if (!await FundAccountsAsync("transfers-kafka", runId, settings.Accounts, $"through {AccountTopic} (not measured)",
                () => FundAsync(producer, check, ct)))
        {
            return 1;
        }

        Console.WriteLine(Invariant(
            $"bench transfers-kafka: {settings.Transfers} transfers of {TransferAmountText} {Asset} to {TransferTopic}, at most {settings.InFlight} in flight, ") +
            Invariant($"followed in the journal every {settings.PollInterval.TotalMilliseconds:0} ms, transfer ids {TransferIdPrefix}*"));
        var values = PrepareTransfers();
        var cpuBefore = BenchCommand.ProcessCpuSeconds();
        using var stop = new CancellationTokenSource();
        var polling = Task.Run(() => PollAsync(db, stop.Token), CancellationToken.None);
        var sending = Task.Factory.StartNew(() => Send(producer, values, stop.Token),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var complete = await WaitForCompletionAsync(polling, ct);
        await stop.CancelAsync();
        await sending;
        producer.Flush(TimeSpan.FromSeconds(10));
        await polling.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var clientCpu = BenchCommand.ProcessCpuSeconds() - cpuBefore;

        return await ReportAsync(check, complete, clientCpu, ct);
    }

    /// <summary>
    /// One deposit per account (key = account id), at most <c>--in-flight</c> not yet in the journal (the Kafka mock
    /// keeps only a window of each partition).
    /// </summary>
    private async Task<bool> FundAsync(IProducer<string, byte[]> producer, BenchTransfersCheck check, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var failures = 0L;
        for (var from = 0; from < settings.Accounts; from += settings.InFlight)
        {
            var to = Math.Min(settings.Accounts, from + settings.InFlight);
            for (var n = from; n < to; n++)
            {
                var value = Encoding.UTF8.GetBytes(
                    $$"""{"type":"deposit","requestId":"bt-{{runId}}-fund-{{n}}","accountId":"{{accountIds[n]}}","asset":"{{Asset}}","amount":"{{FundAmountText}}"}""");
                BenchKafkaClients.ProduceWithBackpressure(producer, AccountTopic, new Message<string, byte[]> { Key = accountIds[n], Value = value },
                    report => { if (report.Error.IsError) { Interlocked.Increment(ref failures); } });
            }
            producer.Flush(ct);
            if (Interlocked.Read(ref failures) > 0)
            {
                Console.WriteLine(Invariant($"  FUNDING FAILED: Kafka refused {failures} deposits"));
                return false;
            }
            if (!await check.WaitFundedAsync(to, settings.Kafka.StallTimeout, ct))
            {
                Console.WriteLine("  FUNDING FAILED: the deposits did not all show in the journal");
                return false;
            }
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        var balances = await check.BalancesAsync(ct);
        Console.WriteLine(Invariant(
            $"  funded in {elapsed.TotalSeconds:0.0} s ({settings.Accounts / elapsed.TotalSeconds:0} deposits/s): the journal shows {balances.Accounts} accounts holding {balances.Total} {Asset}"));
        return true;
    }

    private byte[][] PrepareTransfers()
    {
        // Built before the clock starts: the client shares two cores with the node.
        var values = new byte[settings.Transfers][];
        for (var i = 0; i < settings.Transfers; i++)
        {
            var (from, to) = pairs[i];
            values[i] = Encoding.UTF8.GetBytes(
                $$"""{"type":"transfer","requestId":"{{transferIds[i]}}","from":"{{accountIds[from]}}","to":"{{accountIds[to]}}","asset":"{{Asset}}","amount":"{{TransferAmountText}}"}""");
        }
        return values;
    }

    private void Send(IProducer<string, byte[]> producer, byte[][] values, CancellationToken ct) =>
        BenchKafkaClients.SendPaced(producer, TransferTopic, values.Length, i => new Message<string, byte[]> { Key = transferIds[i], Value = values[i] },
            sending: i =>
            {
                lock (openLock)
                {
                    open.Add(i);
                }
            },
            OnDelivered, slots, sentAt, ref firstSendAt, ref sent, ct);

    private void OnDelivered(DeliveryReport<string, byte[]> report)
    {
        if (!BenchKafkaClients.Refused(report, ref delivered, ref firstDeliveryError))
        {
            return;
        }
        // A transfer Kafka did not take will never finish: its slot is free again.
        var index = IndexOf(report.Message.Key);
        lock (openLock)
        {
            if (!open.Remove(index))
            {
                return;
            }
            outcome[index] = Failed;
        }
        Interlocked.Increment(ref deliveryFailures);
        slots.Release();
        CheckFinished(Stopwatch.GetTimestamp());
    }

    /// <summary>Every poll interval, one look-up of every transfer in flight by persistence id: its final row, if any.</summary>
    private async Task PollAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(
            $"SELECT persistence_id, manifest FROM event_journal WHERE persistence_id = ANY($1) AND manifest IN ('{BenchTransfersCheck.Completed}', '{BenchTransfersCheck.Rejected}')",
            connection);
        var ids = new List<string>(settings.InFlight);
        var parameter = TextArray(ids);
        cmd.Parameters.Add(parameter);
        await cmd.PrepareAsync(ct);
        var done = new List<(int Index, byte Outcome)>();
        var tenth = Math.Max(1, settings.Transfers / 10);
        var ninetieth = Math.Max(1, settings.Transfers * 9L / 10);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var tick = Stopwatch.GetTimestamp();
                ids.Clear();
                lock (openLock)
                {
                    foreach (var index in open)
                    {
                        ids.Add(persistenceIds[index]);
                    }
                }
                if (ids.Count > 0)
                {
                    done.Clear();
                    var queryStart = Stopwatch.GetTimestamp();
                    parameter.Value = ids;
                    await using (var reader = await cmd.ExecuteReaderAsync(ct))
                    {
                        while (await reader.ReadAsync(ct))
                        {
                            done.Add((IndexOf(reader.GetString(0)[PersistenceIdPrefixLength..]), reader.GetString(1) == BenchTransfersCheck.Completed ? Completed : Rejected));
                        }
                    }
                    var queryEnd = Stopwatch.GetTimestamp();
                    polls++;
                    polledIds += ids.Count;
                    pollTicks += queryEnd - queryStart;
                    foreach (var (index, result) in done)
                    {
                        lock (openLock)
                        {
                            if (!open.Remove(index))
                            {
                                continue;
                            }
                            outcome[index] = result;
                        }
                        // Final at the latest when this query's snapshot was taken.
                        var elapsed = Stopwatch.GetElapsedTime(sentAt[index], queryStart);
                        if (result == Completed)
                        {
                            latency.Record(elapsed);
                            Interlocked.Increment(ref completed);
                        }
                        else
                        {
                            rejectedLatency.Record(elapsed);
                            Interlocked.Increment(ref rejected);
                        }
                        var finishedCount = Interlocked.Read(ref completed) + Interlocked.Read(ref rejected);
                        if (tenthAt == 0 && finishedCount >= tenth)
                        {
                            tenthAt = queryStart;
                        }
                        if (ninetiethAt == 0 && finishedCount >= ninetieth)
                        {
                            ninetiethAt = queryStart;
                        }
                        slots.Release();
                    }
                    if (done.Count > 0)
                    {
                        Volatile.Write(ref lastDoneAt, queryStart);
                        CheckFinished(queryStart);
                    }
                }
                var wait = settings.PollInterval - Stopwatch.GetElapsedTime(tick);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private int IndexOf(string transferId) =>
        int.Parse(transferId.AsSpan(TransferIdPrefix.Length), System.Globalization.CultureInfo.InvariantCulture);

    private void CheckFinished(long now)
    {
        if (Done >= settings.Transfers)
        {
            Volatile.Write(ref lastDoneAt, Math.Max(Volatile.Read(ref lastDoneAt), now));
            finished.Set();
        }
    }

    /// <returns>false when the run stalled, failed or was cancelled before every transfer was accounted for.</returns>
    private Task<bool> WaitForCompletionAsync(Task polling, CancellationToken ct)
    {
        long lastPolls = 0;
        return BenchKafkaClients.WaitForCompletionAsync("transfers-kafka", finished, settings.Kafka.StallTimeout, elapsed =>
        {
            if (polling.IsCompleted)
            {
                Console.Error.WriteLine($"bench transfers-kafka: following the transfers in the journal failed: {polling.Exception?.GetBaseException().Message}");
                return null;
            }
            var done = Done;
            var pollCount = Interlocked.Read(ref polls);
            Console.Error.WriteLine(Invariant(
                $"  {elapsed.TotalSeconds,5:0} s: sent {Interlocked.Read(ref sent)}, completed {Interlocked.Read(ref completed)}, rejected {Interlocked.Read(ref rejected)}, ") +
                Invariant($"in flight {Interlocked.Read(ref sent) - done}, {pollCount - lastPolls} polls"));
            lastPolls = pollCount;
            return Interlocked.Read(ref sent) + done;
        }, ct);
    }

    private async Task<int> ReportAsync(BenchTransfersCheck check, bool complete, double clientCpu, CancellationToken ct)
    {
        var sentCount = Interlocked.Read(ref sent);
        var failures = Interlocked.Read(ref deliveryFailures);
        var finishedCount = completed + rejected;
        var end = Volatile.Read(ref lastDoneAt);
        var elapsed = end > firstSendAt ? Stopwatch.GetElapsedTime(firstSendAt, end) : TimeSpan.Zero;
        var rate = elapsed > TimeSpan.Zero ? finishedCount / elapsed.TotalSeconds : 0;
        var completedRate = elapsed > TimeSpan.Zero ? completed / elapsed.TotalSeconds : 0;

        Console.WriteLine(BenchKafkaClients.DeliveryLine(sentCount, Interlocked.Read(ref delivered), failures, firstDeliveryError));
        Console.WriteLine(Invariant($"  seen final in the journal {finishedCount}: completed {completed}, rejected {rejected}, still in flight {sentCount - failures - finishedCount}"));
        Console.WriteLine(Invariant(
            $"  throughput: {completedRate:0} transfers/s completed ({completed} in {elapsed.TotalSeconds:0.000} s, first send to the poll that saw the last one final)"));
        if (tenthAt > 0 && ninetiethAt > tenthAt)
        {
            var middleCount = settings.Transfers * 9L / 10 - Math.Max(1, settings.Transfers / 10);
            Console.WriteLine(Invariant(
                $"  steady state (10%..90% of transfers): {middleCount / Stopwatch.GetElapsedTime(tenthAt, ninetiethAt).TotalSeconds:0} transfers/s"));
        }
        Console.WriteLine($"  latency ms (send to the poll that saw it final, completed transfers): {latency.Summary()}");
        if (rejectedLatency.Count > 0)
        {
            Console.WriteLine($"  latency ms (rejected transfers): {rejectedLatency.Summary()}");
        }
        var pollMs = polls == 0 ? 0 : pollTicks * 1000.0 / Stopwatch.Frequency / polls;
        var idsPerPoll = polls == 0 ? 0 : (double)polledIds / polls;
        var pollShare = elapsed > TimeSpan.Zero ? pollTicks / (double)Stopwatch.Frequency / elapsed.TotalSeconds : 0;
        Console.WriteLine(Invariant(
            $"  polling cost: {polls} polls of {idsPerPoll:0} ids on average, {pollMs:0.00} ms per poll (query and read), ") +
            Invariant($"{polledIds / Math.Max(elapsed.TotalSeconds, 1e-9):0} primary-key look-ups/s, a query in progress {100 * pollShare:0}% of the time"));

        var sentTransfers = new List<SentTransfer>(settings.Transfers);
        for (var i = 0; i < sentCount; i++)
        {
            if (outcome[i] == Failed)
            {
                continue;
            }
            sentTransfers.Add(new SentTransfer(transferIds[i], accountIds[pairs[i].From], accountIds[pairs[i].To],
                outcome[i] switch { Completed => "completed", Rejected => "rejected", _ => "" }));
        }
        var verified = await check.VerifyAsync("transfers-kafka", sentTransfers, allMustExist: true, settle: settings.Kafka.StallTimeout, ct);
        var ok = complete && verified && failures == 0 && sentCount == settings.Transfers;
        Console.WriteLine(Invariant(
            $"result transfers-kafka: transfers_per_s={completedRate:0} p50_ms={latency.PercentileMs(0.5):0.00} p99_ms={latency.PercentileMs(0.99):0.00} p999_ms={latency.PercentileMs(0.999):0.00} ") +
            Invariant($"completed={completed} rejected={rejected} finished={finishedCount} failures={failures} in_flight={settings.InFlight} polls={polls} poll_ms={pollMs:0.00} ok={ok.ToString().ToLowerInvariant()} client_cpu_s={clientCpu:0.00}"));
        return ok ? 0 : 1;
    }

    private sealed record Settings(
        BenchKafkaClients.Connection Kafka, int Accounts, int Transfers, int InFlight, TimeSpan PollInterval);
}
