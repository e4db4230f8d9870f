using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Cohort.Cli.Commands;

/// <summary>
/// <c>cohort bench http</c>: a closed loop of <c>--concurrency</c> clients, each posting a deposit with a new
/// request id as soon as its previous one is answered. Requests are timed from before the send to the end of
/// the response body; only those that start and finish inside the measured window count.
/// </summary>
internal sealed class BenchHttp
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly Settings settings;
    private readonly string requestIdPrefix = $"bench-{BenchCommand.NewRunId()}-";
    private readonly BenchLatencyRecorder latency = new();
    private readonly ConcurrentDictionary<string, long> errors = new(StringComparer.Ordinal);
    private long next = -1;
    private long ok;
    private long measured;
    private long sentTotal;

    private BenchHttp(Settings settings) => this.settings = settings;

    public static Command CreateCommand()
    {
        var url = new Option<Uri>("--url")
        {
            Description = "Base URL of a node.",
            DefaultValueFactory = _ => new Uri("http://127.0.0.1:8080/"),
            CustomParser = result =>
            {
                var text = result.Tokens.Single().Value;
                if (Uri.TryCreate(text, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https")
                {
                    return WithTrailingSlash(parsed);
                }
                result.AddError($"--url must be an absolute http(s) URL, not '{text}'.");
                return null;
            },
        };
        var accounts = BenchCommand.PositiveOption("--accounts", "Distinct accounts the deposits go to (bench-0 ... bench-N-1).", 10_000);
        var duration = BenchCommand.PositiveOption("--duration", "Seconds measured, after the warm-up.", 20);
        var concurrency = BenchCommand.PositiveOption("--concurrency", "Requests in flight (and connections).", 64);
        var warmup = new Option<int>("--warmup") { Description = "Seconds of load before measuring.", DefaultValueFactory = _ => 2 };

        var command = new Command("http", "Post deposits to /api/v1/accounts/{id}/deposit in a closed loop and measure requests/s and latency.")
        {
            url, accounts, duration, concurrency, warmup,
        };
        command.SetAction((parseResult, ct) => new BenchHttp(new Settings(
                parseResult.GetValue(url)!,
                parseResult.GetValue(accounts),
                TimeSpan.FromSeconds(parseResult.GetValue(duration)),
                parseResult.GetValue(concurrency),
                TimeSpan.FromSeconds(Math.Max(0, parseResult.GetValue(warmup)))))
            .RunAsync(ct));
        return command;
    }

    private async Task<int> RunAsync(CancellationToken ct)
    {
        using var client = new HttpClient(new SocketsHttpHandler
            {
                MaxConnectionsPerServer = settings.Concurrency,
                PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
                UseProxy = false,
                UseCookies = false,
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.None,
            })
        {
            BaseAddress = settings.Url,
            Timeout = TimeSpan.FromSeconds(30),
            DefaultRequestVersion = HttpVersion.Version11,
        };
        Console.WriteLine(Invariant(
            $"bench http: POST {settings.Url}api/v1/accounts/{{id}}/deposit over {settings.Accounts} accounts, {settings.Concurrency} in flight, ") +
            Invariant($"{settings.Warmup.TotalSeconds:0} s warm-up then {settings.Duration.TotalSeconds:0} s measured, request ids {requestIdPrefix}*"));

        // A few threads more than the loops that block nothing: the client competes with the node for two cores.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, Environment.ProcessorCount * 2), io);

        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(settings.Warmup.TotalSeconds * Stopwatch.Frequency);
        var measureTo = measureFrom + (long)(settings.Duration.TotalSeconds * Stopwatch.Frequency);
        var loops = Enumerable.Range(0, settings.Concurrency)
            .Select(_ => Task.Run(() => LoopAsync(client, measureFrom, measureTo, ct), CancellationToken.None))
            .ToArray();
        var progress = ReportProgressAsync(start, measureTo, ct);
        await Task.WhenAll(loops);
        await progress;

        var rate = ok / settings.Duration.TotalSeconds;
        Console.WriteLine(Invariant(
            $"  requests measured {measured} (sent {sentTotal} in all), 200 OK {ok}, errors {measured - ok}"));
        foreach (var (kind, count) in errors.OrderByDescending(e => e.Value))
        {
            Console.WriteLine(Invariant($"    {kind}: {count}"));
        }
        Console.WriteLine(Invariant($"  throughput: {rate:0} requests/s (200 OK over {settings.Duration.TotalSeconds:0} s), {measured / settings.Duration.TotalSeconds:0} responses/s"));
        Console.WriteLine($"  latency ms (request to full response): {latency.Summary()}");
        Console.WriteLine(Invariant(
            $"result http: requests_per_s={rate:0} p50_ms={latency.PercentileMs(0.5):0.00} p99_ms={latency.PercentileMs(0.99):0.00} p999_ms={latency.PercentileMs(0.999):0.00} ok={ok} errors={measured - ok} client_cpu_s={BenchCommand.ProcessCpuSeconds():0.00}"));
        return ok > 0 && measured == ok ? 0 : 1;
    }

    private async Task LoopAsync(HttpClient client, long measureFrom, long measureTo, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            if (started >= measureTo)
            {
                return;
            }
            var n = Interlocked.Increment(ref next);
            var accountId = $"bench-{n % settings.Accounts}";
            var body = Encoding.UTF8.GetBytes($$"""{"requestId":"{{requestIdPrefix}}{{n}}","asset":"USDT","amount":"1.25"}""");
            string? error;
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = Json;
                using var response = await client.PostAsync($"api/v1/accounts/{accountId}/deposit", content, ct);
                await response.Content.ReadAsByteArrayAsync(ct);
                error = response.StatusCode == HttpStatusCode.OK ? null : ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                error = e.GetType().Name;
            }
            var ended = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref sentTotal);
            if (started < measureFrom || ended > measureTo)
            {
                continue;
            }
            latency.Record(Stopwatch.GetElapsedTime(started, ended));
            Interlocked.Increment(ref measured);
            if (error is null)
            {
                Interlocked.Increment(ref ok);
            }
            else
            {
                errors.AddOrUpdate(error, 1, (_, c) => c + 1);
            }
        }
    }

    private async Task ReportProgressAsync(long start, long measureTo, CancellationToken ct)
    {
        try
        {
            long previous = 0;
            while (Stopwatch.GetTimestamp() < measureTo)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
                var total = Interlocked.Read(ref sentTotal);
                Console.Error.WriteLine(Invariant(
                    $"  {Stopwatch.GetElapsedTime(start).TotalSeconds,5:0} s: {total - previous} responses/s, {errors.Values.Sum()} errors"));
                previous = total;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // Relative request paths replace the last segment of a base address that does not end in a slash.
    private static Uri WithTrailingSlash(Uri url) => url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record Settings(Uri Url, int Accounts, TimeSpan Duration, int Concurrency, TimeSpan Warmup);
}
