using Akka.Actor;
using Akka.Hosting;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Entities.Transfers;
using Cohort.Cluster.Hosting;
using Cohort.Cluster.Metrics;
using Cohort.Cluster.Persistence.Projections;
using Cohort.Cluster.Singletons;
using Cohort.Domain.Accounts;
using Cohort.Domain.Transfers;
using Cohort.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cohort.Cluster.Tests.Support;

/// <summary>What one in-process node is: its id, database, Kafka and consumer group, and what else it is told.</summary>
internal sealed record InProcessNodeSettings(string NodeId, string ConnectionString, string BootstrapServers, string GroupId)
{
    /// <summary>The entity types it hosts; null for <see cref="CohortHosting.EntityModules"/>.</summary>
    public IReadOnlyList<EntityModule>? Modules { get; init; }

    /// <summary>Configuration keys set on top of the defaults below.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();
}

/// <summary>
/// A whole Cohort node in the test process, built as production builds it (a generic host and <c>AddCohort</c>)
/// from in-memory configuration: a free remoting port with itself as the only seed (a cluster of one), its own
/// database, the shared Kafka mock. Started means ready: member Up, Kafka partitions assigned, singletons running.
/// </summary>
internal sealed class InProcessNode : IAsyncDisposable
{
    /// <summary>The cluster singletons a ready node runs, by the names they report to <see cref="LocalSingletons"/> (the projections' names).</summary>
    public static readonly string[] Singletons = [ReconciliationActor.Name, ProjectionRunner.Name, OrderKeeper.Name];

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private const int StartAttempts = 3;

    private readonly IHost host;
    private readonly InProcessNodeLog log;
    private bool disposed;

    private InProcessNode(IHost host, InProcessNodeLog log, int port, InProcessNodeSettings settings)
    {
        this.host = host;
        this.log = log;
        Port = port;
        Settings = settings;
    }

    public InProcessNodeSettings Settings { get; }

    public string NodeId => Settings.NodeId;

    public int Port { get; }

    public string LogPath => log.Path;

    public IServiceProvider Services => host.Services;

    public ActorSystem System => host.Services.GetRequiredService<ActorSystem>();

    public ActorRegistry Registry => host.Services.GetRequiredService<ActorRegistry>();

    public IActorRef Accounts => Registry.Get<AccountRegion>();

    public IActorRef Transfers => Registry.Get<TransferRegion>();

    public CohortMetrics Metrics => host.Services.GetRequiredService<CohortMetrics>();

    public static async Task<InProcessNode> StartAsync(InProcessNodeSettings settings)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            var log = new InProcessNodeLog(attempt == 1 ? settings.NodeId : $"{settings.NodeId}-attempt{attempt}");
            var host = Build(settings, port, log);
            var node = new InProcessNode(host, log, port, settings);
            try
            {
                await host.StartAsync();
                await node.WaitUntilReadyAsync();
                return node;
            }
            catch (Exception e) when (attempt < StartAttempts && IsPortTaken(e))
            {
                // FreePort's port was taken by another process before remoting bound it.
                await node.DisposeAsync();
            }
            catch (Exception e)
            {
                await node.DisposeAsync();
                throw new InvalidOperationException($"node {settings.NodeId} did not start; its log: {log.Path}", e);
            }
        }
    }

    /// <summary>Stops it as the host stops a node: Kafka first (its batches answered, offsets committed), then the ActorSystem.</summary>
    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }
        disposed = true;
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await host.StopAsync(deadline.Token);
        }
        finally
        {
            if (host is IAsyncDisposable asyncHost)
            {
                await asyncHost.DisposeAsync();
            }
            else
            {
                host.Dispose();
            }
            log.Dispose();
        }
    }

    public Task<object> AskAsync(IActorRef region, object message) => region.Ask<object>(message, TimeSpan.FromSeconds(15));

    /// <summary>Sends an account command to its entity, as ingestion and HTTP do, and returns its answer.</summary>
    public Task<object> AccountAsync(string accountId, string requestId, AccountCommand command) =>
        AskAsync(Accounts, AccountCommandParser.Envelope(accountId, requestId, command));

    /// <summary>Starts a transfer and returns its outcome once it is final (completed or rejected).</summary>
    public async Task<object> TransferAsync(string transferId, TransferTerms terms)
    {
        var started = await AskAsync(Transfers, TransferCommandParser.Envelope(transferId, terms));
        return started is TransferAnswer ? await AskAsync(Transfers, new AwaitTransfer(transferId)) : started;
    }

    private static IHost Build(InProcessNodeSettings settings, int port, InProcessNodeLog log)
    {
        // No defaults: nothing of the machine (environment variables, appsettings.json, console logging) leaks in.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        var configuration = new Dictionary<string, string?>
        {
            ["Cohort:Node:NodeId"] = settings.NodeId,
            ["Cohort:Node:AskTimeout"] = "00:00:05",
            ["Cohort:Cluster:Hostname"] = "127.0.0.1",
            ["Cohort:Cluster:Port"] = port.ToString(),
            ["Cohort:Cluster:SeedNodes:0"] = $"akka.tcp://{CohortHosting.SystemName}@127.0.0.1:{port}",
            ["Cohort:Kafka:BootstrapServers"] = settings.BootstrapServers,
            ["Cohort:Kafka:GroupId"] = settings.GroupId,
            ["Cohort:Kafka:SessionTimeoutMs"] = "10000",
            ["Cohort:Kafka:MaxAttempts"] = "6",
            ["Cohort:Postgres:ConnectionString"] = settings.ConnectionString,
            // Several nodes and test classes share one PostgreSQL server.
            ["Cohort:Postgres:JournalPoolSize"] = "8",
            ["Cohort:Postgres:PoolSize"] = "6",
        };
        foreach (var (key, value) in settings.Settings)
        {
            configuration[key] = value;
        }
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddProvider(log);
        if (settings.Modules is { } modules)
        {
            // Before AddCohort, which only adds the default list when none is registered.
            builder.Services.AddSingleton(modules);
        }
        builder.Services.AddCohort(builder.Configuration);
        return builder.Build();
    }

    private async Task WaitUntilReadyAsync()
    {
        var status = Services.GetRequiredService<ClusterStatus>();
        var readiness = Services.GetRequiredService<NodeReadiness>();
        var singletons = Services.GetRequiredService<LocalSingletons>();
        await NodeWait.UntilAsync(
            () => status.IsUp && readiness.MigrationsApplied && readiness.KafkaRunning && Singletons.All(singletons.Running.Contains),
            ReadyTimeout,
            () => $"node {NodeId} not ready: up {status.IsUp}, migrated {readiness.MigrationsApplied}, Kafka {readiness.KafkaRunning}, " +
                $"singletons [{string.Join(", ", singletons.Running)}]; log {LogPath}");
    }

    private static bool IsPortTaken(Exception e)
    {
        for (var cause = e; cause is not null; cause = cause.InnerException)
        {
            if (cause.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase)
                || cause.Message.Contains("failed to bind", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }
}
