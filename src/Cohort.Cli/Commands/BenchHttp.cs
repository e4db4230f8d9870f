using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Npgsql;

namespace Cohort.Cli.Commands;

/// <summary>
/// <c>cohort bench http</c>: a closed loop of <c>--concurrency</c> clients, each posting a deposit with a new
/// request id as soon as its previous one is answered. Requests are timed from before the send to the end of
/// the response body; only those that start and finish inside the measured window count. With <c>--rate</c>
/// the clients share a schedule of that many requests per second instead, and each request is timed from
/// when it was due: the latency at that throughput, which a closed loop at its limit does not tell. With
/// <c>--postgres</c> the run ends by checking its rows in <c>event_journal</c> (<see cref="BenchJournalCheck"/>):
/// every request answered 200 applied once, in its account, and each account's balance grown by its deposits.
/// </summary>
internal sealed class BenchHttp
{
    private const string Amount = "1.25";

    private readonly Settings settings;
    private readonly string requestIdPrefix = $"bench-{BenchCommand.NewRunId()}-";
    private readonly ConcurrentBag<List<(long Request, BenchJournalCheck.Expect Expect)>> answersByLoop = [];
    private readonly BenchLatencyRecorder latency = new();
    private readonly BenchLatencyRecorder lateness = new();
    private readonly ConcurrentDictionary<string, long> errors = new(StringComparer.Ordinal);
    private long next = -1;
    private long ok;
    private long measured;
    private long sentTotal;
    private int loopsStarted;

    private BenchHttp(Settings settings) => this.settings = settings;

    public static Command CreateCommand()
    {
        var url = BenchHttpClient.UrlOption();
        var postgres = new Option<string>("--postgres")
        {
            Description = "PostgreSQL connection string of the cluster's database: check the run's rows in the journal at the end.",
        };
        var accounts = BenchCommand.PositiveOption("--accounts", "Distinct accounts the deposits go to (bench-0 ... bench-N-1).", 10_000);
        var duration = BenchCommand.PositiveOption("--duration", "Seconds measured, after the warm-up.", 20);
        var concurrency = BenchCommand.PositiveOption("--concurrency", "Requests in flight (and connections).", 64);
        var warmup = BenchHttpClient.WarmupOption();
        var rate = new Option<int>("--rate")
        {
            Description = "Requests per second the clients send on a schedule, timed from when each was due (0: as fast as answers come).",
            DefaultValueFactory = _ => 0,
        };
        rate.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--rate must be 0 or more.");
            }
        });

        var command = new Command("http", "Post deposits to /api/v1/accounts/{id}/deposit in a closed loop (or on a schedule: --rate) and measure requests/s and latency.")
        {
            url, postgres, accounts, duration, concurrency, warmup, rate,
        };
        command.SetAction((parseResult, ct) => new BenchHttp(new Settings(
                parseResult.GetValue(url)!,
                parseResult.GetValue(postgres),
                parseResult.GetValue(accounts),
                TimeSpan.FromSeconds(parseResult.GetValue(duration)),
                parseResult.GetValue(concurrency),
                TimeSpan.FromSeconds(Math.Max(0, parseResult.GetValue(warmup))),
                parseResult.GetValue(rate)))
            .RunAsync(ct));
        return command;
    }

    private async Task<int> RunAsync(CancellationToken ct)
    {
        await using var db = string.IsNullOrEmpty(settings.Postgres) ? null : NpgsqlDataSource.Create(settings.Postgres);
        var accountIds = Enumerable.Range(0, settings.Accounts).Select(n => $"bench-{n}").ToArray();
        var journal = db is null ? null : new BenchJournalCheck(db, requestIdPrefix, accountIds, decimal.Parse(Amount, CultureInfo.InvariantCulture));
        if (journal is not null)
        {
            await journal.EnsureSchemaAsync(ct);
            await journal.MarkStartAsync(ct);
        }

        Console.WriteLine(Invariant(
            $"bench http: POST {settings.Url}api/v1/accounts/{{id}}/deposit over {settings.Accounts} accounts, {settings.Concurrency} connections, ") +
            (settings.Rate > 0 ? Invariant($"{settings.Rate} requests/s on a schedule, ") : "as fast as answers come, ") +
            Invariant($"{settings.Warmup.TotalSeconds:0} s warm-up then {settings.Duration.TotalSeconds:0} s measured, request ids {requestIdPrefix}*"));

        BenchHttpClient.ReserveThreads();

        var (start, measureFrom, measureTo) = BenchHttpClient.MeasuredWindow(settings.Warmup, settings.Duration);
        await BenchHttpClient.RunLoopsAsync(settings.Concurrency, () => LoopAsync(start, measureFrom, measureTo, ct), start, measureTo,
            () => Interlocked.Read(ref sentTotal), "responses", () => errors.Values.Sum(), "errors", ct);

        var rate = ok / settings.Duration.TotalSeconds;
        Console.WriteLine(Invariant(
            $"  requests measured {measured} (sent {sentTotal} in all), 200 OK {ok}, errors {measured - ok}"));
        foreach (var (kind, count) in errors.OrderByDescending(e => e.Value))
        {
            Console.WriteLine(Invariant($"    {kind}: {count}"));
        }
        Console.WriteLine(Invariant($"  throughput: {rate:0} requests/s (200 OK over {settings.Duration.TotalSeconds:0} s), {measured / settings.Duration.TotalSeconds:0} responses/s"));
        Console.WriteLine($"  latency ms (request to full response): {latency.Summary()}");
        if (settings.Rate > 0)
        {
            Console.WriteLine($"  of that, sent after it was due (client woke late, or the previous answer came late), ms: {lateness.Summary()}");
        }
        var checkedOk = true;
        var checkedText = "";
        if (journal is not null)
        {
            var findings = await journal.VerifyAsync(Expectations(), ct);
            Console.WriteLine(findings.Describe());
            checkedOk = findings.Exact;
            checkedText = Invariant($" applied={findings.Applied} rows={findings.Rows} journal_ok={findings.Exact.ToString().ToLowerInvariant()}");
        }
        Console.WriteLine(Invariant(
            $"result http: requests_per_s={rate:0} p50_ms={latency.PercentileMs(0.5):0.00} p99_ms={latency.PercentileMs(0.99):0.00} p999_ms={latency.PercentileMs(0.999):0.00} ok={ok} errors={measured - ok} sent={sentTotal} scheduled_per_s={settings.Rate}") +
            checkedText + Invariant($" client_cpu_s={BenchCommand.ProcessCpuSeconds():0.00}"));
        return ok > 0 && measured == ok && checkedOk ? 0 : 1;
    }

    /// <summary>
    /// What each request id handed out must have left in the journal, by index: applied when answered 200,
    /// refused when answered 409 (the account refused it), anything when no answer told (a timeout, or a request
    /// the end of the run cut off).
    /// </summary>
    private BenchJournalCheck.Expect[] Expectations()
    {
        var expected = new BenchJournalCheck.Expect[Interlocked.Read(ref next) + 1];
        foreach (var (request, expect) in answersByLoop.SelectMany(answers => answers))
        {
            expected[request] = expect;
        }
        return expected;
    }

    private Task LoopAsync(long start, long measureFrom, long measureTo, CancellationToken ct)
    {
        // Loop i of C sends at start + (i + k*C) / rate: together, one request every 1/rate.
        var index = Interlocked.Increment(ref loopsStarted) - 1;
        BenchHttpClient.Pace? pace = settings.Rate > 0
            ? new(start + index * Stopwatch.Frequency / settings.Rate, settings.Concurrency * Stopwatch.Frequency / settings.Rate, lateness)
            : null;
        var answers = new List<(long Request, BenchJournalCheck.Expect Expect)>();
        answersByLoop.Add(answers);
        return BenchHttpClient.ClosedLoopAsync(settings.Url, measureFrom, measureTo,
            next: () =>
            {
                var n = Interlocked.Increment(ref next);
                var accountId = $"bench-{n % settings.Accounts}";
                var body = Encoding.UTF8.GetBytes($$"""{"requestId":"{{requestIdPrefix}}{{n}}","asset":"USDT","amount":"{{Amount}}"}""");
                return (n, $"api/v1/accounts/{accountId}/deposit", body);
            },
            judge: (status, _) => status switch
            {
                HttpStatusCode.OK => new Outcome(null, BenchJournalCheck.Expect.Applied),
                HttpStatusCode.Conflict => new Outcome("409", BenchJournalCheck.Expect.Refused),
                _ => new Outcome(((int)status).ToString(CultureInfo.InvariantCulture), BenchJournalCheck.Expect.Unknown),
            },
            failed: exception => new Outcome(exception, BenchJournalCheck.Expect.Unknown),
            onAnswer: (n, outcome) =>
            {
                answers.Add((n, outcome.Expect));
                Interlocked.Increment(ref sentTotal);
            },
            onMeasured: (outcome, elapsed) =>
            {
                var error = outcome.Error;
                latency.Record(elapsed);
                Interlocked.Increment(ref measured);
                if (error is null)
                {
                    Interlocked.Increment(ref ok);
                }
                else
                {
                    errors.AddOrUpdate(error, 1, (_, c) => c + 1);
                }
            },
            ct, pace);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>A request's answer: the error it counts as (null: 200 OK), and what it must have left in the journal.</summary>
    private readonly record struct Outcome(string? Error, BenchJournalCheck.Expect Expect);

    private sealed record Settings(Uri Url, string? Postgres, int Accounts, TimeSpan Duration, int Concurrency, TimeSpan Warmup, int Rate);
}
