using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Cohort.Cluster.Auth;

namespace Cohort.Cli.Commands;

/// <summary>
/// What <c>cohort bench http</c> and <c>transfers-http</c> share: the <c>--url</c> option, an HttpClient for
/// what is not measured, the threads and the measured window of a closed loop, and its progress lines. One
/// copy, so both runs drive a node the same way and their figures stay comparable.
/// </summary>
internal static class BenchHttpClient
{
    public static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>
    /// The admin token every request of a run carries, minted once (signing one per request would cost the client
    /// CPU the node needs); null without a key (<see cref="TokenKey"/>), for a node with auth off.
    /// </summary>
    public static readonly string? Token = MintToken();

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    public static Option<Uri> UrlOption() => new("--url")
    {
        Description = "Base URL of a node (http).",
        DefaultValueFactory = _ => new Uri("http://127.0.0.1:8080/"),
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            // The closed loops speak plain HTTP/1.1 (BenchConnection), as a node serves it.
            if (Uri.TryCreate(text, UriKind.Absolute, out var parsed) && parsed.Scheme == "http")
            {
                // Relative request paths replace the last segment of a base address that does not end in a slash.
                return parsed.AbsoluteUri.EndsWith('/') ? parsed : new Uri(parsed.AbsoluteUri + "/");
            }
            result.AddError($"--url must be an absolute http:// URL, not '{text}'.");
            return null;
        },
    };

    public static Option<int> WarmupOption() =>
        new("--warmup") { Description = "Seconds of load before measuring.", DefaultValueFactory = _ => 2 };

    /// <summary>Keep-alive connections, nothing the node does not need; for the requests that are not measured.</summary>
    public static HttpClient Create(Uri url, int connections) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            BaseAddress = url,
            Timeout = TimeSpan.FromSeconds(30),
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultRequestHeaders = { Authorization = Token is null ? null : new AuthenticationHeaderValue("Bearer", Token) },
        };

    private static string? MintToken()
    {
        if (TokenKey.Find(out var problem) is { } key)
        {
            return key.Issue(AccessTokens.AdminSubject, admin: true, TimeSpan.FromDays(1));
        }
        Console.Error.WriteLine($"bench: {problem}; requests go without a token, which a node with auth on refuses");
        return null;
    }

    /// <summary>A few threads more than the loops that block nothing: the client competes with the node for two cores.</summary>
    public static void ReserveThreads()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, Environment.ProcessorCount * 2), io);
    }

    /// <summary>Starts the clock: the warm-up runs from now, then the measured window from its end.</summary>
    public static (long Start, long MeasureFrom, long MeasureTo) MeasuredWindow(TimeSpan warmup, TimeSpan duration)
    {
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var measureTo = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        return (start, measureFrom, measureTo);
    }

    /// <summary>
    /// Runs <paramref name="concurrency"/> copies of <paramref name="loop"/> on the thread pool and, until the
    /// measured window ends, prints once a second how many answers came (<paramref name="answered"/>, all so far)
    /// and how many of them were not the one hoped for (<paramref name="failures"/>, all so far).
    /// </summary>
    public static async Task RunLoopsAsync(
        int concurrency, Func<Task> loop, long start, long measureTo, Func<long> answered, string answersName, Func<long> failures, string failuresName,
        CancellationToken ct)
    {
        var loops = Enumerable.Range(0, concurrency)
            .Select(_ => Task.Run(loop, CancellationToken.None))
            .ToArray();
        var progress = ReportProgressAsync(start, measureTo, answered, answersName, failures, failuresName, ct);
        await Task.WhenAll(loops);
        await progress;
    }

    /// <summary>
    /// One client of a closed loop, on its own keep-alive connection: until the measured window ends, posts the
    /// next request (<paramref name="next"/>: what it is, its path, its JSON body) as soon as the previous one is
    /// answered. A request is timed from before <paramref name="next"/> to the end of the answer's body,
    /// <paramref name="judge"/> included (or <paramref name="failed"/>, given the exception's type name, when no
    /// answer came within 30 s; the connection is then opened again). Every request goes to
    /// <paramref name="onAnswer"/>; <paramref name="onMeasured"/> gets only those that started and ended inside the
    /// window. Returns quietly when <paramref name="ct"/> is cancelled.
    /// </summary>
    /// <remarks>
    /// With a <paramref name="pace"/>, the loop posts on a schedule instead of as soon as it can: its k-th request
    /// at <c>FirstAt + k * Every</c>, or at once if it is late. A request is then timed from when it was due, so
    /// a node that falls behind shows in the latency, not as requests that were never sent.
    /// </remarks>
    public static async Task ClosedLoopAsync<TRequest, TOutcome>(
        Uri url, long measureFrom, long measureTo, Func<(TRequest Request, string Path, byte[] Body)> next,
        Func<HttpStatusCode, byte[], TOutcome> judge, Func<string, TOutcome> failed,
        Action<TRequest, TOutcome> onAnswer, Action<TOutcome, TimeSpan> onMeasured, CancellationToken ct, Pace? pace = null)
    {
        BenchConnection? connection = null;
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            for (long k = 0; !ct.IsCancellationRequested; k++)
            {
                var started = Stopwatch.GetTimestamp();
                if (pace is { } p)
                {
                    var due = p.FirstAt + k * p.Every;
                    if (due > started)
                    {
                        await Task.Delay(Stopwatch.GetElapsedTime(started, due), ct);
                    }
                    if (due >= measureFrom && due < measureTo)
                    {
                        p.Lateness.RecordSince(due);
                    }
                    started = due;
                }
                if (started >= measureTo)
                {
                    return;
                }
                var (request, path, body) = next();
                TOutcome outcome;
                try
                {
                    deadline.CancelAfter(RequestTimeout);
                    connection ??= await BenchConnection.OpenAsync(url, deadline.Token);
                    var (status, answer) = await connection.PostAsync(path, body, deadline.Token);
                    outcome = judge(status, answer);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
                {
                    outcome = failed(e is OperationCanceledException ? "Timeout" : e.GetType().Name);
                    connection?.Dispose();
                    connection = null;
                }
                var ended = Stopwatch.GetTimestamp();
                if (!deadline.TryReset())
                {
                    deadline.Dispose();
                    deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
                }
                onAnswer(request, outcome);
                if (started < measureFrom || ended > measureTo)
                {
                    continue;
                }
                onMeasured(outcome, Stopwatch.GetElapsedTime(started, ended));
            }
        }
        finally
        {
            connection?.Dispose();
            deadline.Dispose();
        }
    }

    /// <summary>
    /// A loop's schedule, in Stopwatch ticks: its first request is due at <see cref="FirstAt"/>, then one every
    /// <see cref="Every"/>. <see cref="Lateness"/> gets how late each measured request was sent: because the
    /// client woke late, or because the connection's previous answer came after this request was due.
    /// </summary>
    public readonly record struct Pace(long FirstAt, long Every, BenchLatencyRecorder Lateness);

    private static async Task ReportProgressAsync(
        long start, long measureTo, Func<long> answered, string answersName, Func<long> failures, string failuresName, CancellationToken ct)
    {
        try
        {
            long previous = 0;
            while (Stopwatch.GetTimestamp() < measureTo)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
                var total = answered();
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {Stopwatch.GetElapsedTime(start).TotalSeconds,5:0} s: {total - previous} {answersName}/s, {failures()} {failuresName}"));
                previous = total;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
