using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Cohort.Node.Tests.Support;

/// <summary>One deposit or withdrawal the client will send, with its request id fixed in advance.</summary>
internal sealed record PlannedCommand(int Index, string AccountId, string RequestId, string Kind, decimal Amount)
{
    public const string Asset = "USDT";

    public bool IsDeposit => Kind == "deposit";

    public string AmountText => Amount.ToString("0.00", CultureInfo.InvariantCulture);

    public string Body => $$"""{"requestId":"{{RequestId}}","asset":"{{Asset}}","amount":"{{AmountText}}"}""";
}

/// <summary>The definitive answer a command got, after however many attempts.</summary>
internal sealed class CommandOutcome(PlannedCommand command)
{
    public PlannedCommand Command { get; } = command;

    /// <summary>200, 409, ... of the definitive answer; 0 when the command never got one.</summary>
    public int Status { get; set; }

    /// <summary>The response body exactly as received.</summary>
    public string Body { get; set; } = "";

    /// <summary>The problem's <c>code</c>, for a non-200 answer.</summary>
    public string? Code { get; set; }

    public int Attempts { get; set; }

    public string AnsweredBy { get; set; } = "";

    /// <summary>When the definitive answer came, as a <see cref="Stopwatch"/> timestamp.</summary>
    public long AnsweredAt { get; set; }

    /// <summary>The shard the account lives in, as the nodes place it.</summary>
    public string Shard => Shards.Of(Command.AccountId);

    public bool Applied => Status == 200;

    public bool Refused => Status == 409 && Code == "insufficient_funds";

    public bool Definitive => Applied || Refused;

    public long SeqNr => Json.GetProperty("seqNr").GetInt64();

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}

/// <summary>What the load run measured.</summary>
internal sealed record LoadReport(
    IReadOnlyList<CommandOutcome> Outcomes,
    TimeSpan Duration,
    long Attempts,
    long ConnectionFailures,
    long ClientTimeouts,
    long ServerTimeouts,
    long Unavailable,
    long OtherServerErrors,
    IReadOnlyDictionary<string, long> AttemptsByNode,
    IReadOnlyDictionary<string, DateTime> MarkedDead)
{
    public long Retries => Attempts - Outcomes.Count;

    public double CommandsPerSecond => Outcomes.Count(o => o.Status != 0) / Duration.TotalSeconds;

    public override string ToString() =>
        $"{Outcomes.Count} commands in {Duration.TotalSeconds:0.0} s ({CommandsPerSecond:0} commands/s): " +
        $"{Outcomes.Count(o => o.Applied)} applied, {Outcomes.Count(o => o.Refused)} refused, " +
        $"{Outcomes.Count(o => !o.Definitive)} without a definitive answer; {Attempts} attempts = {Retries} retries " +
        $"(connection failures {ConnectionFailures}, client timeouts {ClientTimeouts}, 504 {ServerTimeouts}, 503 {Unavailable}, other 5xx {OtherServerErrors}); " +
        $"attempts by node: {string.Join(", ", AttemptsByNode.OrderBy(a => a.Key).Select(a => $"{a.Key}={a.Value}"))}; " +
        $"marked dead: {(MarkedDead.Count == 0 ? "none" : string.Join(", ", MarkedDead.Select(d => $"{d.Key} at {d.Value:HH:mm:ss.fff}")))}";
}

/// <summary>
/// A client that sends deposits and withdrawals from concurrent workers, each command until it has a definitive
/// answer: 200, or 409 insufficient_funds. Anything else that may not be final (connection refused or reset, 5xx,
/// no answer in time) is retried with the same request id on a node not known to be dead. A node is known dead
/// once a connection to it failed; the client learns that only by trying it.
/// </summary>
internal sealed class CommandLoad : IDisposable
{
    private readonly IReadOnlyList<NodeProcess> nodes;
    private readonly TestLog log;
    private readonly HttpClient http;
    private readonly ConcurrentDictionary<string, DateTime> dead = new();
    private readonly ConcurrentDictionary<string, long> attemptsByNode = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> milestones = [];
    private long attempts;
    private long connectionFailures;
    private long clientTimeouts;
    private long serverTimeouts;
    private long unavailable;
    private long otherServerErrors;
    private int answered;

    public CommandLoad(IReadOnlyList<NodeProcess> nodes, TestLog log)
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
            // The nodes give up on the owner after their ask timeout (3 s); this is the client's own patience.
            Timeout = TimeSpan.FromSeconds(10),
            DefaultRequestHeaders = { Authorization = TestAuth.AdminHeader },
        };
    }

    /// <summary>Commands spread at random over <paramref name="accounts"/> accounts; seeded, so a run can be repeated.</summary>
    public static List<PlannedCommand> Plan(string runId, int accounts, int commands, double depositShare, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, commands).Select(i =>
        {
            var account = $"acc-{runId}-{random.Next(accounts):D4}";
            var deposit = random.NextDouble() < depositShare;
            // Two decimals; withdrawals a little smaller than deposits, so that some pass and some are refused.
            var cents = deposit ? random.Next(100, 10_000) : random.Next(100, 8_000);
            return new PlannedCommand(i, account, $"{runId}-r{i:D5}", deposit ? "deposit" : "withdraw", cents / 100m);
        }).ToList();
    }

    /// <summary>Completes once <paramref name="count"/> commands have a definitive answer.</summary>
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

    public int Answered => Volatile.Read(ref answered);

    /// <summary>Sends every command from <paramref name="workers"/> workers; stops retrying at <paramref name="ct"/>.</summary>
    public async Task<LoadReport> RunAsync(IReadOnlyList<PlannedCommand> commands, int workers, CancellationToken ct)
    {
        var outcomes = commands.Select(c => new CommandOutcome(c)).ToArray();
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w * 7919 + 1);
            int i;
            while ((i = Interlocked.Increment(ref next)) < outcomes.Length && !ct.IsCancellationRequested)
            {
                await SendUntilAnsweredAsync(outcomes[i], random, ct);
                if (outcomes[i].Status != 0)
                {
                    OnAnswered();
                }
            }
        }, CancellationToken.None)));
        clock.Stop();
        return new LoadReport(outcomes, clock.Elapsed, attempts, connectionFailures, clientTimeouts, serverTimeouts, unavailable,
            otherServerErrors, new Dictionary<string, long>(attemptsByNode), new Dictionary<string, DateTime>(dead));
    }

    private async Task SendUntilAnsweredAsync(CommandOutcome outcome, Random random, CancellationToken ct)
    {
        var command = outcome.Command;
        var uri = $"/api/v1/accounts/{command.AccountId}/{command.Kind}";
        while (!ct.IsCancellationRequested)
        {
            var node = Pick(random);
            outcome.Attempts++;
            Interlocked.Increment(ref attempts);
            attemptsByNode.AddOrUpdate(node.NodeId, 1, (_, n) => n + 1);
            try
            {
                using var content = new StringContent(command.Body, Encoding.UTF8, "application/json");
                using var response = await http.PostAsync(node.Url + uri, content, ct);
                var body = await response.Content.ReadAsStringAsync(ct);
                var status = (int)response.StatusCode;
                if (status >= 500)
                {
                    if (status == (int)HttpStatusCode.GatewayTimeout)
                    {
                        Interlocked.Increment(ref serverTimeouts);
                    }
                    else if (status == (int)HttpStatusCode.ServiceUnavailable)
                    {
                        Interlocked.Increment(ref unavailable);
                    }
                    else
                    {
                        Interlocked.Increment(ref otherServerErrors);
                    }
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
                return;
            }
            catch (HttpRequestException e)
            {
                // Refused or reset: this node is gone as far as this client can tell.
                Interlocked.Increment(ref connectionFailures);
                if (dead.TryAdd(node.NodeId, DateTime.UtcNow))
                {
                    log.Write($"client: {node.NodeId} marked dead ({Describe(e)})");
                }
                await Task.Delay(20, CancellationToken.None);
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                Interlocked.Increment(ref clientTimeouts);
            }
            catch (OperationCanceledException)
            {
                return;
            }
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

    private static string? ReadCode(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("code", out var code) ? code.GetString() : null;
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
