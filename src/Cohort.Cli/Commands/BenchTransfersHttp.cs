using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Npgsql;
using static Cohort.Cli.Commands.BenchTransfers;

namespace Cohort.Cli.Commands;

/// <summary>
/// <c>cohort bench transfers-http</c>: funds fresh accounts with deposits (not measured), then runs a closed loop of
/// <c>--concurrency</c> clients, each posting a transfer of 1.00 USDT between two random accounts as soon as its
/// previous one is answered. The POST answers once the transfer is completed (200) or rejected (409). Requests are
/// timed from before the send to the end of the response body; only those that start and finish inside the measured
/// window count. The run ends by checking in the journal that every answered transfer is final with the status it
/// was answered with and moved exactly what that status says, and that the run's accounts still hold exactly what
/// was deposited (<see cref="BenchTransfersCheck"/>).
/// </summary>
internal sealed class BenchTransfersHttp
{
    private readonly Settings settings;
    private readonly string runId = BenchCommand.NewRunId();
    private readonly string[] accountIds;
    private readonly BenchLatencyRecorder latency = new();
    private readonly BenchLatencyRecorder rejectedLatency = new();
    private readonly ConcurrentDictionary<string, long> errors = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<List<SentTransfer>> sentByLoop = [];
    private long next = -1;
    private long completed;
    private long rejected;
    private long measured;
    private long sentTotal;

    private BenchTransfersHttp(Settings settings)
    {
        this.settings = settings;
        accountIds = AccountIds(runId, settings.Accounts);
    }

    private string TransferIdPrefix => $"bt-{runId}-";

    public static Command CreateCommand()
    {
        var url = BenchHttpClient.UrlOption();
        var postgres = BenchCommand.RequiredOption("--postgres", "PostgreSQL connection string of the cluster's database (to verify the run).");
        var accounts = AccountsOption();
        var duration = BenchCommand.PositiveOption("--duration", "Seconds measured, after the warm-up.", 20);
        var concurrency = BenchCommand.PositiveOption("--concurrency", "Transfers in flight (and connections).", 64);
        var fundConcurrency = BenchCommand.PositiveOption("--fund-concurrency", "Deposits in flight while funding the accounts (not measured).", 256);
        var warmup = BenchHttpClient.WarmupOption();

        var command = new Command("transfers-http",
            "Fund accounts, then post transfers to /api/v1/transfers in a closed loop: transfers/s and latency, checked in the journal.")
        {
            url, postgres, accounts, duration, concurrency, fundConcurrency, warmup,
        };
        command.SetAction((parseResult, ct) => new BenchTransfersHttp(new Settings(
                parseResult.GetValue(url)!,
                parseResult.GetValue(postgres)!,
                parseResult.GetValue(accounts),
                TimeSpan.FromSeconds(parseResult.GetValue(duration)),
                parseResult.GetValue(concurrency),
                parseResult.GetValue(fundConcurrency),
                TimeSpan.FromSeconds(Math.Max(0, parseResult.GetValue(warmup)))))
            .RunAsync(ct));
        return command;
    }

    private async Task<int> RunAsync(CancellationToken ct)
    {
        await using var db = NpgsqlDataSource.Create(settings.Postgres);
        var check = new BenchTransfersCheck(db, accountIds);
        await check.EnsureSchemaAsync(ct);
        using var client = BenchHttpClient.Create(settings.Url, Math.Max(settings.Concurrency, settings.FundConcurrency));

        BenchHttpClient.ReserveThreads();

        if (!await FundAccountsAsync("transfers-http", runId, settings.Accounts,
                Invariant($"({settings.FundConcurrency} deposits in flight, not measured)"), () => FundAsync(client, check, ct)))
        {
            return 1;
        }

        Console.WriteLine(Invariant(
            $"bench transfers-http: POST {settings.Url}api/v1/transfers ({TransferAmountText} {Asset} between random distinct accounts), {settings.Concurrency} in flight, ") +
            Invariant($"{settings.Warmup.TotalSeconds:0} s warm-up then {settings.Duration.TotalSeconds:0} s measured, transfer ids {TransferIdPrefix}*"));
        var (start, measureFrom, measureTo) = BenchHttpClient.MeasuredWindow(settings.Warmup, settings.Duration);
        var cpuBefore = BenchCommand.ProcessCpuSeconds();
        await BenchHttpClient.RunLoopsAsync(settings.Concurrency, () => LoopAsync(measureFrom, measureTo, ct), start, measureTo,
            () => Interlocked.Read(ref sentTotal), "answers", () => errors.Values.Sum(), "not completed", ct);
        var clientCpu = BenchCommand.ProcessCpuSeconds() - cpuBefore;

        var answered = completed + rejected;
        var rate = completed / settings.Duration.TotalSeconds;
        Console.WriteLine(Invariant(
            $"  transfers measured {measured} (sent {sentTotal} in all): 200 completed {completed}, 409 rejected {rejected}, errors {measured - answered}"));
        if (!errors.IsEmpty)
        {
            Console.WriteLine("  not completed, by status and code:");
        }
        foreach (var (kind, count) in errors.OrderByDescending(e => e.Value))
        {
            Console.WriteLine(Invariant($"    {kind}: {count}"));
        }
        Console.WriteLine(Invariant(
            $"  throughput: {rate:0} transfers/s completed (over {settings.Duration.TotalSeconds:0} s), {answered / settings.Duration.TotalSeconds:0} answered/s"));
        Console.WriteLine($"  latency ms (POST to full response, completed transfers): {latency.Summary()}");
        if (rejectedLatency.Count > 0)
        {
            Console.WriteLine($"  latency ms (rejected transfers): {rejectedLatency.Summary()}");
        }

        var sent = sentByLoop.SelectMany(l => l).ToList();
        var ok = await check.VerifyAsync("transfers-http", sent, allMustExist: false, settle: TimeSpan.FromSeconds(30), ct);
        Console.WriteLine(Invariant(
            $"result transfers-http: transfers_per_s={rate:0} p50_ms={latency.PercentileMs(0.5):0.00} p99_ms={latency.PercentileMs(0.99):0.00} p999_ms={latency.PercentileMs(0.999):0.00} ") +
            Invariant($"completed={completed} rejected={rejected} errors={measured - answered} finished={sent.Count(s => s.Expected != "")} concurrency={settings.Concurrency} ") +
            Invariant($"ok={ok.ToString().ToLowerInvariant()} client_cpu_s={clientCpu:0.00}"));
        return ok && completed > 0 ? 0 : 1;
    }

    /// <summary>One deposit per account, retried with the same request id until it is answered 200.</summary>
    private async Task<bool> FundAsync(HttpClient client, BenchTransfersCheck check, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var failed = new ConcurrentQueue<string>();
        var retries = 0L;
        await Parallel.ForEachAsync(Enumerable.Range(0, settings.Accounts),
            new ParallelOptions { MaxDegreeOfParallelism = settings.FundConcurrency, CancellationToken = ct },
            async (n, token) =>
            {
                var body = Encoding.UTF8.GetBytes(
                    $$"""{"requestId":"bt-{{runId}}-fund-{{n}}","asset":"{{Asset}}","amount":"{{FundAmountText}}"}""");
                string? error = null;
                for (var attempt = 0; attempt < 10; attempt++)
                {
                    if (attempt > 0)
                    {
                        Interlocked.Increment(ref retries);
                        await Task.Delay(200 * attempt, token);
                    }
                    try
                    {
                        using var content = new ByteArrayContent(body);
                        content.Headers.ContentType = BenchHttpClient.Json;
                        using var response = await client.PostAsync($"api/v1/accounts/{accountIds[n]}/deposit", content, token);
                        var text = await response.Content.ReadAsStringAsync(token);
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            return;
                        }
                        error = $"{(int)response.StatusCode} {text}";
                        if (response.StatusCode is not (HttpStatusCode.GatewayTimeout or HttpStatusCode.ServiceUnavailable))
                        {
                            break;
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or IOException || (e is TaskCanceledException && !token.IsCancellationRequested))
                    {
                        error = e.GetType().Name;
                    }
                }
                failed.Enqueue($"{accountIds[n]}: {error}");
            });
        var elapsed = Stopwatch.GetElapsedTime(started);
        var balances = await check.BalancesAsync(ct);
        var funded = failed.IsEmpty && balances.Accounts == settings.Accounts && balances.Total == FundAmount * settings.Accounts;
        Console.WriteLine(Invariant(
            $"  funded in {elapsed.TotalSeconds:0.0} s ({settings.Accounts / elapsed.TotalSeconds:0} deposits/s, {retries} retries): the journal shows {balances.Accounts} accounts holding {balances.Total} {Asset}") +
            (funded ? "" : Invariant($"; FUNDING FAILED ({failed.Count} deposits not answered 200{(failed.TryPeek(out var first) ? $", first: {first}" : "")})")));
        return funded;
    }

    private Task LoopAsync(long measureFrom, long measureTo, CancellationToken ct)
    {
        var sent = new List<SentTransfer>();
        sentByLoop.Add(sent);
        return BenchHttpClient.ClosedLoopAsync(settings.Url, measureFrom, measureTo,
            next: () =>
            {
                var n = Interlocked.Increment(ref next);
                var transferId = $"{TransferIdPrefix}{n}";
                var (from, to) = RandomPair(settings.Accounts);
                var body = Encoding.UTF8.GetBytes(
                    $$"""{"requestId":"{{transferId}}","from":"{{accountIds[from]}}","to":"{{accountIds[to]}}","asset":"{{Asset}}","amount":"{{TransferAmountText}}"}""");
                return ((Id: transferId, From: accountIds[from], To: accountIds[to]), "api/v1/transfers", body);
            },
            judge: (status, answer) => (Status: (HttpStatusCode?)status, Error: status == HttpStatusCode.OK ? null : Describe(status, answer)),
            failed: exception => (Status: null, Error: exception),
            // What the journal must show at the end: the status of the answer, or (no answer) anything but pending.
            onAnswer: (transfer, outcome) =>
            {
                sent.Add(new SentTransfer(transfer.Id, transfer.From, transfer.To,
                    outcome.Status switch { HttpStatusCode.OK => "completed", HttpStatusCode.Conflict => "rejected", _ => "" }));
                Interlocked.Increment(ref sentTotal);
            },
            onMeasured: (outcome, elapsed) =>
            {
                Interlocked.Increment(ref measured);
                if (outcome.Status == HttpStatusCode.OK)
                {
                    latency.Record(elapsed);
                    Interlocked.Increment(ref completed);
                    return;
                }
                if (outcome.Status == HttpStatusCode.Conflict)
                {
                    rejectedLatency.Record(elapsed);
                    Interlocked.Increment(ref rejected);
                }
                errors.AddOrUpdate(outcome.Error!, 1, (_, c) => c + 1);
            },
            ct);
    }

    /// <summary>"409 insufficient_funds": the status and the problem's code.</summary>
    private static string Describe(HttpStatusCode status, byte[] body)
    {
        var code = "";
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String)
            {
                code = " " + c.GetString();
            }
        }
        catch (JsonException)
        {
        }
        return ((int)status).ToString(CultureInfo.InvariantCulture) + code;
    }

    private sealed record Settings(Uri Url, string Postgres, int Accounts, TimeSpan Duration, int Concurrency, int FundConcurrency, TimeSpan Warmup);
}
