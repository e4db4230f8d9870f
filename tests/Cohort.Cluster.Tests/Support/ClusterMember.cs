using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Cohort.Cluster.FlashSales;
using Cohort.Cluster.Hosting;
using Cohort.Cluster.Persistence;
using Cohort.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cohort.Cluster.Tests.Support;

/// <summary>
/// A clustered ActorSystem with a node's journal (<see cref="CohortHosting.AddJournal"/>) and its sold-out board
/// (<see cref="SoldOutHosting.WithSoldOutBoard"/>), without regions, singletons or Kafka: entities are created
/// directly on it. Several of them form one cluster when the later ones name the first as their seed.
/// </summary>
public sealed class ClusterMember : IAsyncDisposable
{
    private const string SystemName = "cohort-members";
    private static readonly TimeSpan UpTimeout = TimeSpan.FromSeconds(30);

    private readonly IHost host;

    private ClusterMember(IHost host, int port)
    {
        this.host = host;
        Port = port;
        System = host.Services.GetRequiredService<ActorSystem>();
    }

    public ActorSystem System { get; }

    public int Port { get; }

    public string Address => $"akka.tcp://{SystemName}@127.0.0.1:{Port}";

    public SoldOutBoard Board => host.Services.GetRequiredService<SoldOutBoard>();

    /// <summary>The node's replica, which its stock actors tell.</summary>
    public IActorRef Replica => host.Services.GetRequiredService<ActorRegistry>().Get<SoldOutReplica>();

    /// <summary>Starts a member and waits until it is Up in the cluster of <paramref name="seed"/> (a cluster of its own when null).</summary>
    public static async Task<ClusterMember> StartAsync(MessageFormats formats, string connectionString, ClusterMember? seed = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Next();
            var seedAddress = seed?.Address ?? $"akka.tcp://{SystemName}@127.0.0.1:{port}";
            var host = new HostBuilder()
                .ConfigureServices(services => services
                    .AddSingleton<SoldOutBoard>()
                    .AddAkka(SystemName, (akka, sp) =>
                    {
                        CohortHosting.AddJournal(akka, formats, connectionString);
                        akka.AddHocon(ActorSpec.TestHocon, HoconAddMode.Prepend)
                            .WithRemoting("127.0.0.1", port)
                            .WithClustering(new ClusterOptions { SeedNodes = [seedAddress] })
                            .WithSoldOutBoard(sp.GetRequiredService<SoldOutBoard>());
                    }))
                .Build();
            var member = new ClusterMember(host, port);
            try
            {
                await host.StartAsync();
                var cluster = Akka.Cluster.Cluster.Get(member.System);
                await NodeWait.UntilAsync(() => cluster.SelfMember.Status == MemberStatus.Up, UpTimeout,
                    () => $"member {member.Address} is {cluster.SelfMember.Status}, seed {seedAddress}");
                return member;
            }
            catch (Exception e) when (attempt < 3 && e.ToString().Contains("bind", StringComparison.OrdinalIgnoreCase))
            {
                // FreePort's port was taken by another process before remoting bound it.
                await member.DisposeAsync();
            }
            catch
            {
                await member.DisposeAsync();
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await host.StopAsync(timeout.Token);
        }
        finally
        {
            host.Dispose();
        }
    }
}
