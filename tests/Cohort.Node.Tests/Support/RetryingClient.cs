using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Cohort.Node.Tests.Support;

/// <summary>One request the client sends until it has a definitive answer: a POST of <see cref="Body"/> to <see cref="Path"/>.</summary>
internal sealed record PlannedRequest(string Path, string Body);

/// <summary>The definitive answer to a <see cref="PlannedRequest"/>, after however many attempts.</summary>
internal sealed class RequestOutcome(PlannedRequest request)
{
    public PlannedRequest Request { get; } = request;

    /// <summary>200, 409, ... of the definitive answer; 0 when the request never got one.</summary>
    public int Status { get; set; }

    /// <summary>The response body exactly as received.</summary>
    public string Body { get; set; } = "";

    /// <summary>The problem's <c>code</c>, for a non-200 answer.</summary>
    public string? Code { get; set; }

    public int Attempts { get; set; }

    public string AnsweredBy { get; set; } = "";

    /// <summary>When the first attempt was sent, as a <see cref="Stopwatch"/> timestamp.</summary>
    public long SentAt { get; set; }

    /// <summary>When the definitive answer came, as a <see cref="Stopwatch"/> timestamp.</summary>
    public long AnsweredAt { get; set; }

    /// <summary>Every non-definitive attempt, in order: "504@node-1", "connection@node-2", ...</summary>
    public List<string> Retries { get; } = [];

    public bool Answered => Status != 0;
}

/// <summary>
/// A client that POSTs requests from concurrent workers, each until it has a definitive answer: anything below 500.
/// Anything else, which may not be final (connection refused or reset, 5xx, no answer in time), is retried with the
/// same body, so the same request id, on a node not known to be dead. A node is known dead once a connection to it
/// failed; the client learns that only by trying it. (The deposit/withdrawal client <see cref="CommandLoad"/> works
/// the same way; this one sends any route, transfers included.)
/// </summary>
internal sealed class RetryingClient : IDisposable
{
    private readonly IReadOnlyList<NodeProcess> nodes;
    private readonly TestLog log;
    private readonly HttpClient http;
    private readonly ConcurrentDictionary<string, DateTime> dead = new();
    private readonly ConcurrentDictionary<string, long> attemptsByNode = new();
    private readonly ConcurrentDictionary<string, long> retriesByReason = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> milestones = [];
    private long attempts;
    private int answered;

    public RetryingClient(IReadOnlyList<NodeProcess> nodes, TestLog log, TimeSpan? timeout = null)
    {
        this.nodes = nodes;
        this.log = log;
        http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(2),
            MaxConnectionsPerServer = int.MaxValue,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        })
        {
            // The nodes give up after their ask timeout (3 s) and answer 504; this is the client's own patience.
            Timeout = timeout ?? TimeSpan.FromSeconds(10),
            DefaultRequestHeaders = { Authorization = TestAuth.AdminHeader },
        };
    }

    public long Attempts => Interlocked.Read(ref attempts);

    public int Answered => Volatile.Read(ref answered);

    public IReadOnlyDictionary<string, long> RetriesByReason => new Dictionary<string, long>(retriesByReason);

    public IReadOnlyDictionary<string, long> AttemptsByNode => new Dictionary<string, long>(attemptsByNode);

    public IReadOnlyDictionary<string, DateTime> MarkedDead => new Dictionary<string, DateTime>(dead);

    /// <summary>Completes once <paramref name="count"/> requests have a definitive answer.</summary>
    public Task WhenAnswered(int count)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (milestones)
        {
            if (answered >= count)
            {
                reached.SetResult();
            }
            else
            {
                milestones.Add((count, reached));
            }
        }
        return reached.Task;
    }

    /// <summary>Sends every request from <paramref name="workers"/> workers, in order; stops retrying at <paramref name="ct"/>.</summary>
    public async Task<RequestOutcome[]> RunAsync(IReadOnlyList<PlannedRequest> requests, int workers, CancellationToken ct)
    {
        var outcomes = requests.Select(r => new RequestOutcome(r)).ToArray();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w * 7919 + 1);
            int i;
            while ((i = Interlocked.Increment(ref next)) < outcomes.Length && !ct.IsCancellationRequested)
            {
                await SendUntilAnsweredAsync(outcomes[i], random, ct);
            }
        }, CancellationToken.None)));
        return outcomes;
    }

    public async Task SendUntilAnsweredAsync(RequestOutcome outcome, Random random, CancellationToken ct)
    {
        var request = outcome.Request;
        outcome.SentAt = Stopwatch.GetTimestamp();
        while (!ct.IsCancellationRequested)
        {
            var node = Pick(random);
            outcome.Attempts++;
            Interlocked.Increment(ref attempts);
            attemptsByNode.AddOrUpdate(node.NodeId, 1, (_, n) => n + 1);
            try
            {
                using var content = new StringContent(request.Body, Encoding.UTF8, "application/json");
                using var response = await http.PostAsync(node.Url + request.Path, content, ct);
                var body = await response.Content.ReadAsStringAsync(ct);
                var status = (int)response.StatusCode;
                if (status >= 500)
                {
                    var reason = status switch
                    {
                        (int)HttpStatusCode.GatewayTimeout => $"504 {ReadCode(body) ?? "-"}",
                        (int)HttpStatusCode.ServiceUnavailable => $"503 {ReadCode(body) ?? "-"}",
                        _ => $"{status} {ReadCode(body) ?? "-"}",
                    };
                    Retried(outcome, reason, node);
                    await Task.Delay(status == (int)HttpStatusCode.GatewayTimeout ? 0 : 100, ct);
                    continue;
                }
                outcome.Status = status;
                outcome.Body = body;
                outcome.AnsweredBy = node.NodeId;
                outcome.AnsweredAt = Stopwatch.GetTimestamp();
                if (status != 200)
                {
                    outcome.Code = ReadCode(body);
                }
                OnAnswered();
                return;
            }
            catch (HttpRequestException e)
            {
                // Refused or reset: this node is gone as far as this client can tell.
                Retried(outcome, "connection failure", node);
                if (dead.TryAdd(node.NodeId, DateTime.UtcNow))
                {
                    log.Write($"client: {node.NodeId} marked dead ({Describe(e)})");
                }
                await Task.Delay(20, CancellationToken.None);
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                Retried(outcome, "client timeout", node);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public string DescribeRetries()
    {
        var retries = retriesByReason.Values.Sum();
        return $"{Attempts} attempts, {retries} retries ({(retries == 0 ? "none" : string.Join(", ", retriesByReason.OrderByDescending(r => r.Value).Select(r => $"{r.Key}: {r.Value}")))}); " +
            $"attempts by node: {string.Join(", ", attemptsByNode.OrderBy(a => a.Key).Select(a => $"{a.Key}={a.Value}"))}; " +
            $"marked dead: {(dead.IsEmpty ? "none" : string.Join(", ", dead.Select(d => $"{d.Key} at {d.Value:HH:mm:ss.fff}")))}";
    }

    private void Retried(RequestOutcome outcome, string reason, NodeProcess node)
    {
        retriesByReason.AddOrUpdate(reason, 1, (_, n) => n + 1);
        lock (outcome.Retries)
        {
            outcome.Retries.Add($"{reason}@{node.NodeId}");
        }
    }

    private NodeProcess Pick(Random random)
    {
        var alive = nodes.Where(n => !dead.ContainsKey(n.NodeId)).ToList();
        // Should every node look dead, keep trying them all rather than give up.
        var from = alive.Count > 0 ? alive : nodes;
        return from[random.Next(from.Count)];
    }

    private void OnAnswered()
    {
        var now = Interlocked.Increment(ref answered);
        lock (milestones)
        {
            foreach (var m in milestones.Where(m => now >= m.Count).ToList())
            {
                m.Reached.TrySetResult();
                milestones.Remove(m);
            }
        }
    }

    public static string? ReadCode(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("code", out var code)
                ? code.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Describe(HttpRequestException e) =>
        e.InnerException is SocketException s ? $"{e.HttpRequestError}: {s.SocketErrorCode}" : $"{e.HttpRequestError}: {e.InnerException?.Message ?? e.Message}";

    public void Dispose() => http.Dispose();
}
