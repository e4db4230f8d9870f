using Cohort.Cluster.Entities;
using Cohort.Cluster.Hosting;
using Cohort.Cluster.Kafka;
using Cohort.Testing;

namespace Cohort.Cluster.Tests.Support;

/// <summary>
/// One test class's node: a fresh database, a consumer group of its own (started at the current end of the command
/// topics, see <see cref="NodeKafka.StartGroupAtEnd"/>), and the node itself, started once for the class's tests.
/// Subclasses name the class and may change what the node hosts or how it is configured.
/// </summary>
public abstract class InProcessNodeFixture : IAsyncLifetime
{
    private readonly PostgresServer postgres = new();
    private readonly KafkaCluster cluster = new();
    private readonly List<InProcessNode> started = [];
    private readonly string name;
    private int nodes;

    protected InProcessNodeFixture(string name)
    {
        this.name = name;
        GroupId = $"cohort-test-{name}-{Guid.NewGuid():N}";
        Kafka = new NodeKafka(cluster.BootstrapServers);
    }

    public string GroupId { get; }

    internal NodeKafka Kafka { get; }

    public string ConnectionString { get; private set; } = "";

    internal NodeDatabase Database { get; private set; } = null!;

    /// <summary>The node the class's tests share; null when <see cref="StartsNode"/> is false.</summary>
    internal InProcessNode Node { get; private set; } = null!;

    /// <summary>The entity types the node hosts; null for the production list.</summary>
    protected virtual IReadOnlyList<EntityModule>? Modules => null;

    protected virtual IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();

    /// <summary>False for classes whose tests start (and restart) nodes themselves.</summary>
    protected virtual bool StartsNode => true;

    public async Task InitializeAsync()
    {
        await postgres.InitializeAsync();
        ConnectionString = await postgres.CreateDatabaseAsync($"cluster_{name}");
        Database = new NodeDatabase(ConnectionString);
        BeforeFirstNode();
        var modules = Modules ?? CohortHosting.EntityModules;
        Kafka.StartGroupAtEnd(GroupId, modules.Where(m => m.HasCommandTopic).Select(m => CohortTopics.Commands(m.TypeName)));
        if (StartsNode)
        {
            Node = await StartNodeAsync();
        }
    }

    /// <summary>Starts a node on this class's database and consumer group; the fixture stops it at the end unless the test did.</summary>
    internal async Task<InProcessNode> StartNodeAsync()
    {
        var node = await InProcessNode.StartAsync(new InProcessNodeSettings(
            $"{name}-{Interlocked.Increment(ref nodes)}-{Guid.NewGuid().ToString("N")[..8]}", ConnectionString, Kafka.BootstrapServers, GroupId)
        {
            Modules = Modules,
            Settings = Settings,
        });
        lock (started)
        {
            started.Add(node);
        }
        return node;
    }

    /// <summary>A topic of the test's own on the shared Kafka mock (a reply topic, say).</summary>
    /// <returns>Its name: <paramref name="prefix"/> and a unique suffix.</returns>
    public string CreateTopic(string prefix, int partitions) => cluster.CreateTopic(prefix, partitions);

    /// <summary>A topic under exactly this name, created once per test process (see <see cref="KafkaCluster.CreateNamedTopic"/>).</summary>
    public string CreateNamedTopic(string topic, int partitions) => cluster.CreateNamedTopic(topic, partitions);

    /// <summary>Before the consumer group is placed and the first node starts: topics the node's modules need, say.</summary>
    protected virtual void BeforeFirstNode()
    {
    }

    public async Task DisposeAsync()
    {
        InProcessNode[] nodesToStop;
        lock (started)
        {
            nodesToStop = [.. started];
        }
        foreach (var node in nodesToStop)
        {
            await node.DisposeAsync();
        }
        Kafka.Dispose();
        if (Database is not null)
        {
            await Database.DisposeAsync();
        }
        await postgres.DisposeAsync();
    }
}
