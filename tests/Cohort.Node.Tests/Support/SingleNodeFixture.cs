using Cohort.Cluster.Kafka;
using Cohort.Testing;

namespace Cohort.Node.Tests.Support;

/// <summary>
/// One real Cohort node, started as a child process from the built Cohort.Node.dll, forming a cluster of its own, on
/// a fresh database and a Kafka mock cluster hosted in this test process. Subclasses add settings.
/// </summary>
public abstract class SingleNodeFixture : IAsyncLifetime
{
    private readonly PostgresServer postgres = new();
    private readonly string logDirectory = Directory.CreateTempSubdirectory("cohort-node-").FullName;
    private EmbeddedKafka? kafka;
    private NodeProcess? node;

    public HttpClient Http => Node.Http;

    public string ConnectionString { get; private set; } = "";

    internal NodeProcess Node => node ?? throw new InvalidOperationException("the node has not started");

    /// <summary>Settings beyond a node's basics, as <c>Cohort:Section:Key</c> to value.</summary>
    protected abstract IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>Whether <see cref="Http"/> sends an admin token with every request.</summary>
    protected virtual bool SendsAdminToken => true;

    public async Task InitializeAsync()
    {
        await postgres.InitializeAsync();
        ConnectionString = await postgres.CreateDatabaseAsync(GetType().Name);
        kafka = EmbeddedKafka.Start(new EmbeddedKafkaOptions());
        for (var attempt = 1; ; attempt++)
        {
            var remotingPort = FreePort.Next();
            node = NodeProcess.Start($"node-{Guid.NewGuid():N}"[..13], FreePort.Next(), remotingPort, [NodeProcess.AddressOf(remotingPort)],
                kafka.BootstrapServers, ConnectionString, logDirectory, Settings, SendsAdminToken);
            try
            {
                await node.WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
                return;
            }
            // Another process may take a free port before the node binds it.
            catch (Exception e) when (e is InvalidOperationException or TimeoutException && attempt < 3
                && node.ReadLog() is var log && (log.Contains("address already in use", StringComparison.OrdinalIgnoreCase) || log.Contains("Failed to bind", StringComparison.Ordinal)))
            {
                node.Dispose();
            }
        }
    }

    public async Task DisposeAsync()
    {
        node?.Dispose();
        kafka?.Dispose();
        await postgres.DisposeAsync();
        try
        {
            Directory.Delete(logDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
