using System.Diagnostics;
using System.Globalization;
using Cohort.Cluster.Kafka;
using Cohort.Testing;
using Confluent.Kafka;
using Npgsql;

namespace Cohort.Node.Tests.Support;

/// <summary>
/// A whole cluster for one test class: the Kafka mock hosted in this test process (it outlives the nodes), a fresh
/// PostgreSQL database, and three node processes on free ports that list each other as seeds, started and settled.
/// </summary>
internal sealed class TestCluster : IAsyncDisposable
{
    private readonly PostgresServer postgres;
    private readonly TestLog log;
    private readonly List<NodeProcess> nodes = [];
    private readonly List<string> seeds = [];
    private readonly IReadOnlyDictionary<string, string>? settings;
    // COHORT_KEEP_NODE_LOGS=1 keeps the node logs of passing tests too.
    private bool keepLogs = Environment.GetEnvironmentVariable("COHORT_KEEP_NODE_LOGS") == "1";

    private TestCluster(
        EmbeddedKafka kafka, PostgresServer postgres, string connectionString, string logDirectory, TestLog log, IReadOnlyDictionary<string, string>? settings)
    {
        this.settings = settings;
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

    /// <param name="settings">Settings beyond a node's basics, as <c>Cohort:Section:Key</c> to value, for every node.</param>
    public static async Task<TestCluster> StartAsync(string name, TestLog log, int nodeCount = 3, IReadOnlyDictionary<string, string>? settings = null)
    {
        var clock = Stopwatch.StartNew();
        var postgres = new PostgresServer();
        await postgres.InitializeAsync();
        var connectionString = await postgres.CreateDatabaseAsync(name);
        var kafka = EmbeddedKafka.Start(new EmbeddedKafkaOptions());
        var logDirectory = Directory.CreateTempSubdirectory($"cohort-{name}-").FullName;
        var cluster = new TestCluster(kafka, postgres, connectionString, logDirectory, log, settings);
        try
        {
            var remotingPorts = Enumerable.Range(0, nodeCount).Select(_ => FreePort.Next()).ToList();
            cluster.seeds.AddRange(remotingPorts.Select(NodeProcess.AddressOf));
            log.Write($"Kafka mock {kafka.BootstrapServers}; database {new NpgsqlConnectionStringBuilder(connectionString).Database}; " +
                $"seeds {string.Join(", ", cluster.seeds)}; node logs in {logDirectory}");
            await Task.WhenAll(Enumerable.Range(0, nodeCount).Select(i => cluster.StartNodeAsync($"node-{i + 1}", remotingPorts[i])));
            log.Write($"{nodeCount} nodes ready after {clock.Elapsed.TotalSeconds:0.0} s: " +
                string.Join(", ", cluster.nodes.Select(n => $"{n.NodeId} pid {n.Pid} {n.Url} {n.Address}")));
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

    /// <summary>
    /// Starts a node process on free ports and waits until it is ready; when a port was taken between the check and
    /// the bind, tries new ones.
    /// </summary>
    public async Task<NodeProcess> StartNodeAsync(string nodeId, int? remotingPort = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var node = NodeProcess.Start(nodeId, FreePort.Next(), remotingPort ?? FreePort.Next(), seeds, Kafka.BootstrapServers, ConnectionString,
                LogDirectory, settings);
            try
            {
                await node.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
                lock (nodes)
                {
                    nodes.Add(node);
                }
                return node;
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException && attempt < 3 && PortTaken(node))
            {
                log.Write($"{nodeId}: port {node.Port} or {node.RemotingPort} was taken meanwhile; trying others");
                node.Dispose();
                remotingPort = null;
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

    private static bool PortTaken(NodeProcess node)
    {
        var text = node.ReadLog();
        return text.Contains("address already in use", StringComparison.OrdinalIgnoreCase)
            || text.Contains("Failed to bind", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Waits until the cluster is quiet: every member ready, and every member sees exactly the others as Up and
    /// reachable; the singletons all run on one member, the one the others name.
    /// </summary>
    public async Task<ClusterInfo> WaitUntilSettledAsync(IReadOnlyCollection<NodeProcess> members, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var why = "not checked yet";
        while (clock.Elapsed < timeout)
        {
            try
            {
                var (info, problem) = await CheckSettledAsync(members);
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

    private static async Task<(ClusterInfo?, string?)> CheckSettledAsync(IReadOnlyCollection<NodeProcess> members)
    {
        var ids = members.Select(m => m.NodeId).Order(StringComparer.Ordinal).ToList();
        var infos = new List<ClusterInfo>();
        foreach (var node in members)
        {
            using var ready = await node.Http.GetAsync("/health/ready");
            if (!ready.IsSuccessStatusCode)
            {
                return (null, $"{node.NodeId} is not ready: {await ready.Content.ReadAsStringAsync()}");
            }
            var info = await ClusterInfo.ReadAsync(node.Http);
            var up = info.Nodes.Where(n => n.Up).Select(n => n.NodeId).Order(StringComparer.Ordinal).ToList();
            if (!up.SequenceEqual(ids) || info.Nodes.Count != ids.Count)
            {
                return (null, $"{node.NodeId} sees {Describe(info)}");
            }
            infos.Add(info);
        }
        var singleton = infos[0].Singleton?.NodeId;
        if (singleton is null || infos.Any(i => i.Singleton?.NodeId != singleton))
        {
            return (null, $"the members disagree on the singletons' node: {string.Join(", ", infos.Select(i => $"{i.ServedBy}: {i.Singleton?.NodeId}"))}");
        }
        foreach (var info in infos)
        {
            var expected = info.ServedBy == singleton ? ClusterInfo.Singletons : [];
            if (!info.Local.Singletons.Order(StringComparer.Ordinal).SequenceEqual(expected))
            {
                return (null, $"{info.ServedBy} runs singletons [{string.Join(",", info.Local.Singletons)}], the oldest is {singleton}");
            }
        }
        return (infos[0], null);
    }

    /// <summary>
    /// Polls a survivor until <paramref name="gone"/> is no longer a member and every shard of <paramref name="shards"/>
    /// has a home on a survivor (a shard gets one when a message for it arrives).
    /// </summary>
    /// <returns>The time from <paramref name="since"/> (a Stopwatch timestamp) to the first poll that saw it, and the view then.</returns>
    public async Task<(TimeSpan Elapsed, ClusterInfo Info)> WaitForShardsAsync(
        NodeProcess survivor, string gone, string region, IReadOnlyCollection<string> shards, long since, TimeSpan timeout)
    {
        var last = "nothing read";
        while (Stopwatch.GetElapsedTime(since) < timeout)
        {
            try
            {
                var info = await ClusterInfo.ReadAsync(survivor.Http);
                var homes = info.ShardHomes(region);
                if (info.Nodes.All(n => n.NodeId != gone) && shards.All(s => homes.TryGetValue(s, out var home) && home != gone))
                {
                    return (Stopwatch.GetElapsedTime(since), info);
                }
                last = Describe(info);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                last = e.Message;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{gone}'s {region} shards [{string.Join(",", shards)}] did not move within {timeout.TotalSeconds:0} s; last seen {last}");
    }

    /// <summary>
    /// The counters and gauges of a node's <c>/metrics</c> whose names start with <paramref name="prefix"/>, summed over
    /// their labels (<c>cohort_commands_total{entity="account",outcome="accepted"} 3</c> counts towards <c>cohort_commands_total</c>).
    /// </summary>
    public static async Task<Dictionary<string, double>> ReadCountersAsync(NodeProcess node, string prefix = "cohort_")
    {
        var text = await node.Http.GetStringAsync("/metrics");
        var counters = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }
            var labels = line.IndexOf('{');
            var space = line.LastIndexOf(' ');
            var name = labels > 0 ? line[..labels] : line[..Math.Max(0, space)];
            if (name.EndsWith("_bucket", StringComparison.Ordinal)
                || !double.TryParse(line[(space + 1)..], CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }
            counters[name] = counters.GetValueOrDefault(name) + value;
        }
        return counters;
    }

    /// <summary>
    /// The survivors reconciled, and no node published an alert on <c>cohort.events.alerts</c>: the singleton's runs,
    /// under load and across a kill, found no mismatch.
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
            "cohort_commands_total", "cohort_journal_writes_total", "cohort_journal_records_total", "cohort_entities_recovered_total",
            "cohort_records_replayed_total", "cohort_ask_timeouts_total", "cohort_entity_failures_total", "cohort_kafka_commands_total",
        ];
        var lines = new List<string>();
        foreach (var node in members)
        {
            try
            {
                var counters = await ReadCountersAsync(node);
                lines.Add($"{node.NodeId}: " + string.Join(", ", names.Select(n => $"{n["cohort_".Length..^"_total".Length]}={counters.GetValueOrDefault(n)}")));
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
            $"{n.NodeId} {n.Status}{(n.Reachable ? "" : " unreachable")} " +
            $"[account {n.Shards.GetValueOrDefault(ClusterInfo.AccountRegion)?.Count ?? 0} shards, transfer {n.Shards.GetValueOrDefault(ClusterInfo.TransferRegion)?.Count ?? 0}]"))
        + $"; singletons on {info.Singleton?.NodeId ?? "nobody"} (seen from {info.ServedBy}, which runs [{string.Join(",", info.Local.Singletons)}])";

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
