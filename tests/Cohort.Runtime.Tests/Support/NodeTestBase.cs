using Cohort.Runtime.Kafka;
using Cohort.Testing;

namespace Cohort.Runtime.Tests.Support;

/// <summary>A fresh database and a fresh Kafka mock cluster per test class, and helpers to start nodes on them.</summary>
public abstract class NodeTestBase : IAsyncLifetime
{
    private readonly PostgresServer postgres = new();
    private readonly List<InProcessNode> nodes = [];

    internal EmbeddedKafka Kafka { get; private set; } = null!;

    internal string ConnectionString { get; private set; } = "";

    internal Db Db { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await postgres.InitializeAsync();
        ConnectionString = await postgres.CreateDatabaseAsync(GetType().Name);
        Db = new Db(ConnectionString);
        Kafka = EmbeddedKafka.Start(new EmbeddedKafkaOptions());
    }

    internal async Task<InProcessNode> StartNodeAsync(string nodeId, IDictionary<string, string?>? settings = null)
    {
        var node = await InProcessNode.StartAsync(nodeId, Kafka.BootstrapServers, ConnectionString, settings);
        nodes.Add(node);
        return node;
    }

    internal async Task StopNodeAsync(InProcessNode node)
    {
        nodes.Remove(node);
        await node.DisposeAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var node in nodes)
        {
            await node.DisposeAsync();
        }
        Kafka.Dispose();
        await postgres.DisposeAsync();
    }
}
