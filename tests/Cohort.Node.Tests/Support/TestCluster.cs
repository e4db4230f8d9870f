using System.Diagnostics;
using Cohort.Runtime.Kafka;
using Cohort.Testing;
using Confluent.Kafka;
using Npgsql;

namespace Cohort.Node.Tests.Support;

/// <summary>
/// A whole cluster for one test class: the Kafka mock hosted in this test process (it outlives the nodes), a fresh
/// PostgreSQL database, and three node processes on free ports, started and settled.
/// </summary>
internal sealed class TestCluster : IAsyncDisposable
{
    public const string CommandTopic = ClusterInfo.CommandTopic;
    public const int CommandPartitions = 8;

    private readonly PostgresServer postgres;
    private readonly TestLog log;
    private readonly List<NodeProcess> nodes = [];
    // COHORT_KEEP_NODE_LOGS=1 keeps the node logs of passing tests too.
    private bool keepLogs = Environment.GetEnvironmentVariable("COHORT_KEEP_NODE_LOGS") == "1";

    private TestCluster(EmbeddedKafka kafka, PostgresServer postgres, string connectionString, string logDirectory, TestLog log)
    {
        Kafka = kafka;
        this.postgres = postgres;
        ConnectionString = connectionString;
        LogDirectory = logDirectory;
        this.log = log;
    }

    public EmbeddedKafka Kafka { get; }

    public string ConnectionString { get; }

    public string LogDirectory { get; }

    public IReadOnlyList<NodeProcess> Nodes => nodes;

    public static async Task<TestCluster> StartAsync(string name, TestLog log, int nodeCount = 3)
    {
        var clock = Stopwatch.StartNew();
        var postgres = new PostgresServer();
        await postgres.InitializeAsync();
        var connectionString = await postgres.CreateDatabaseAsync(name);
        var kafka = EmbeddedKafka.Start(new EmbeddedKafkaOptions());
        var logDirectory = Directory.CreateTempSubdirectory($"cohort-{name}-").FullName;
        var cluster = new TestCluster(kafka, postgres, connectionString, logDirectory, log);
        try
        {
            log.Write($"Kafka mock {kafka.BootstrapServers}; database {new NpgsqlConnectionStringBuilder(connectionString).Database}; node logs in {logDirectory}");
            await Task.WhenAll(Enumerable.Range(1, nodeCount).Select(i => cluster.StartNodeAsync($"node-{i}")));
            log.Write($"{nodeCount} nodes ready after {clock.Elapsed.TotalSeconds:0.0} s: " +
                string.Join(", ", cluster.nodes.Select(n => $"{n.NodeId} pid {n.Pid} {n.Url}")));
            var settled = await cluster.WaitUntilSettledAsync(cluster.nodes, TimeSpan.FromSeconds(60));
            log.Write($"Cluster settled after {clock.Elapsed.TotalSeconds:0.0} s: {Describe(settled)}");
            return cluster;
        }
        catch
        {
            cluster.DumpLogs();
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a node process on a free port and waits until it is ready; retries when the port was taken meanwhile.</summary>
    public async Task<NodeProcess> StartNodeAsync(string nodeId)
    {
        for (var attempt = 1; ; attempt++)
        {
            var node = NodeProcess.Start(nodeId, FreePort.Next(), Kafka.BootstrapServers, ConnectionString, LogDirectory);
            try
            {
                await node.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
                lock (nodes)
                {
                    nodes.Add(node);
                }
                return node;
            }
            catch (InvalidOperationException) when (attempt < 3 && node.HasExited
                && node.ReadLog().Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                log.Write($"{nodeId}: port {node.Port} was taken meanwhile; trying another");
                node.Dispose();
            }
            catch
            {
                lock (nodes)
                {
                    nodes.Add(node);
                }
                throw;
            }
        }
    }

    /// <summary>
    /// Waits until the cluster is quiet: every member ready; every command partition owned, fenced and not
    /// recovering on exactly one member (each member owning at least one when <paramref name="everyMemberOwns"/>);
    /// PostgreSQL's owner table agreeing with what the members hold, their owners up; and the singleton running
    /// on a member with the epoch the table shows.
    /// </summary>
    public async Task<ClusterInfo> WaitUntilSettledAsync(
        IReadOnlyCollection<NodeProcess> members, TimeSpan timeout, bool everyMemberOwns = true)
    {
        var clock = Stopwatch.StartNew();
        var why = "not checked yet";
        while (clock.Elapsed < timeout)
        {
            try
            {
                var (info, problem) = await CheckSettledAsync(members, everyMemberOwns);
                if (problem is null)
                {
                    return info!;
                }
                why = problem;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                why = e.Message;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"the cluster did not settle within {timeout.TotalSeconds:0} s: {why}");
    }

    private static async Task<(ClusterInfo?, string?)> CheckSettledAsync(IReadOnlyCollection<NodeProcess> members, bool everyMemberOwns)
    {
        var infos = new List<ClusterInfo>();
        foreach (var node in members)
        {
            using var ready = await node.Http.GetAsync("/health/ready");
            if (!ready.IsSuccessStatusCode)
            {
                return (null, $"{node.NodeId} is not ready: {await ready.Content.ReadAsStringAsync()}");
            }
            infos.Add(await ClusterInfo.ReadAsync(node.Http));
        }
        var held = new Dictionary<int, (string NodeId, long Epoch)>();
        foreach (var info in infos)
        {
            foreach (var p in info.Local.Owned.Where(p => p.Topic == CommandTopic))
            {
                if (p.Recovering || p.Epoch <= 0)
                {
                    return (null, $"{info.Local.NodeId} is still taking partition {p.Partition}");
                }
                if (!held.TryAdd(p.Partition, (info.Local.NodeId, p.Epoch)))
                {
                    return (null, $"partition {p.Partition} is held by {held[p.Partition].NodeId} and {info.Local.NodeId}");
                }
            }
            if (everyMemberOwns && info.LocalCommandPartitions().Count == 0)
            {
                return (null, $"{info.Local.NodeId} owns no command partition yet");
            }
        }
        if (held.Count != CommandPartitions)
        {
            return (null, $"only partitions {string.Join(",", held.Keys.Order())} are held");
        }
        // Read the table last, so it is at least as new as what the members said they hold.
        var view = await ClusterInfo.ReadAsync(members.First().Http);
        var owners = view.CommandOwners();
        var memberIds = members.Select(m => m.NodeId).ToHashSet();
        foreach (var (partition, holder) in held)
        {
            if (!owners.TryGetValue(partition, out var owner) || owner != holder)
            {
                return (null, $"partition {partition}: held by {holder}, the table says {(owners.TryGetValue(partition, out var o) ? o.ToString() : "nobody")}");
            }
        }
        var down = view.Nodes.Where(n => memberIds.Contains(n.NodeId) && !n.Up).Select(n => n.NodeId).ToList();
        if (down.Count > 0 || view.Nodes.Count(n => memberIds.Contains(n.NodeId)) != members.Count)
        {
            return (null, $"not every member is listed as up (down: {string.Join(",", down)})");
        }
        if (view.Singleton is not { } singleton || !memberIds.Contains(singleton.NodeId))
        {
            return (null, $"the singleton is on {view.Singleton?.NodeId ?? "no node"}");
        }
        var runner = infos.Single(i => i.Local.NodeId == singleton.NodeId);
        if (!runner.Local.Owned.Any(p => p.Topic == ClusterInfo.SingletonTopic && p.Epoch == singleton.Epoch))
        {
            return (null, $"{singleton.NodeId} does not run the singleton with epoch {singleton.Epoch} yet");
        }
        return (view, null);
    }

    /// <summary>The owner and epoch of every command partition, straight from PostgreSQL.</summary>
    public async Task<Dictionary<int, (string NodeId, long Epoch)>> ReadCommandOwnersAsync(CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT kafka_partition, node_id, epoch FROM partition_owners WHERE topic = $1", conn);
        cmd.Parameters.AddWithValue(CommandTopic);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var owners = new Dictionary<int, (string, long)>();
        while (await reader.ReadAsync(ct))
        {
            owners[reader.GetInt32(0)] = (reader.GetString(1), reader.GetInt64(2));
        }
        return owners;
    }

    /// <summary>
    /// Polls partition_owners until every command partition belongs to one of <paramref name="survivors"/>, those
    /// of <paramref name="gone"/> with an epoch higher than in <paramref name="before"/>.
    /// </summary>
    /// <returns>The time from <paramref name="since"/> (a Stopwatch timestamp) to the first poll that saw it, and the owners then.</returns>
    public async Task<(TimeSpan Elapsed, Dictionary<int, (string NodeId, long Epoch)> Owners)> WaitForTakeoverAsync(
        Dictionary<int, (string NodeId, long Epoch)> before, string gone, IReadOnlyCollection<string> survivors, long since, TimeSpan timeout)
    {
        var owners = before;
        while (Stopwatch.GetElapsedTime(since) < timeout)
        {
            owners = await ReadCommandOwnersAsync();
            var done = owners.Count == CommandPartitions
                && owners.Values.All(o => survivors.Contains(o.NodeId))
                && before.Where(b => b.Value.NodeId == gone).All(b => owners[b.Key].Epoch > b.Value.Epoch);
            if (done)
            {
                return (Stopwatch.GetElapsedTime(since), owners);
            }
            await Task.Delay(100);
        }
        throw new TimeoutException(
            $"{gone}'s partitions did not move to {string.Join(",", survivors)} within {timeout.TotalSeconds:0} s; before {Describe(before)}, now {Describe(owners)}");
    }

    /// <summary>The plain counters of a node's <c>/metrics</c> whose names start with <paramref name="prefix"/>.</summary>
    public static async Task<Dictionary<string, double>> ReadCountersAsync(NodeProcess node, string prefix = "cohort_")
    {
        var text = await node.Http.GetStringAsync("/metrics");
        var counters = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var parts = line.Split(' ');
            if (parts.Length == 2 && parts[0].StartsWith(prefix, StringComparison.Ordinal) && !parts[0].Contains('{')
                && double.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var value))
            {
                counters[parts[0]] = value;
            }
        }
        return counters;
    }

    /// <summary>
    /// The survivors reconciled, and no node published an alert on <c>cohort.events.alerts</c>: the singleton's
    /// runs over new events, under load and across a kill, found no mismatch. A run that read a partition's events
    /// past one still being committed would have.
    /// </summary>
    public async Task CheckNoReconciliationAlertAsync(IEnumerable<NodeProcess> survivors)
    {
        double runs = 0;
        foreach (var node in survivors)
        {
            runs += (await ReadCountersAsync(node)).GetValueOrDefault("cohort_reconciliations_total");
        }
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = Kafka.BootstrapServers,
            GroupId = $"alerts-{Guid.NewGuid():N}",
            EnablePartitionEof = true,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(CohortTopics.Alerts, 0, Offset.Beginning));
        var alerts = new List<string>();
        var reachedEnd = false;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!reachedEnd && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(1));
            reachedEnd = result?.IsPartitionEOF == true;
            if (result is { IsPartitionEOF: false })
            {
                alerts.Add(result.Message.Value);
            }
        }
        log.Write($"{runs} reconciliation runs on the survivors; alerts: [{string.Join(", ", alerts)}]");
        Assert.True(reachedEnd, $"did not reach the end of {CohortTopics.Alerts} within 30 s");
        Assert.True(runs > 0, "no reconciliation ran on the survivors");
        Assert.Empty(alerts);
    }

    /// <summary>A few counters of each node, summed up for the log: what the nodes saw of a run.</summary>
    public static async Task<string> DescribeCountersAsync(IEnumerable<NodeProcess> members)
    {
        string[] names =
        [
            "cohort_commands_processed_total", "cohort_commands_replayed_total", "cohort_batch_failures_total",
            "cohort_ask_timeouts_total", "cohort_entities_recovered_total",
        ];
        var lines = new List<string>();
        foreach (var node in members)
        {
            try
            {
                var counters = await ReadCountersAsync(node);
                lines.Add($"{node.NodeId}: " + string.Join(", ", names.Select(n => $"{n["cohort_".Length..]}={counters.GetValueOrDefault(n)}")));
            }
            catch (HttpRequestException e)
            {
                lines.Add($"{node.NodeId}: /metrics failed ({e.Message})");
            }
        }
        return string.Join("; ", lines);
    }

    public static string Describe(ClusterInfo info) =>
        string.Join("; ", info.Nodes.Select(n =>
            $"{n.NodeId} {n.Status} [{string.Join(",", (n.Partitions.GetValueOrDefault(CommandTopic) ?? []).Select(p => $"{p.Partition}@{p.Epoch}"))}]"))
        + $"; singleton {info.Singleton?.NodeId}@{info.Singleton?.Epoch}";

    public static string Describe(Dictionary<int, (string NodeId, long Epoch)> owners) =>
        string.Join(", ", owners.OrderBy(o => o.Key).Select(o => $"{o.Key}:{o.Value.NodeId}@{o.Value.Epoch}"));

    /// <summary>Every node's log into the test output, for a failed test; the log folder is kept.</summary>
    public void DumpLogs(int linesPerNode = 400)
    {
        keepLogs = true;
        List<NodeProcess> all;
        lock (nodes)
        {
            all = [.. nodes];
        }
        foreach (var node in all)
        {
            log.Write($"===== {node.NodeId} ({node.LogPath}), last {linesPerNode} lines =====\n{node.ReadLogTail(linesPerNode)}");
        }
        log.Write($"Node logs kept in {LogDirectory}");
    }

    public async ValueTask DisposeAsync()
    {
        List<NodeProcess> all;
        lock (nodes)
        {
            all = [.. nodes];
            nodes.Clear();
        }
        foreach (var node in all)
        {
            node.Dispose();
        }
        Kafka.Dispose();
        await postgres.DisposeAsync();
        if (!keepLogs)
        {
            try
            {
                Directory.Delete(LogDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
