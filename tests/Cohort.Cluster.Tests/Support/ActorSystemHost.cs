using Akka.Actor;
using Akka.Hosting;
using Cohort.Cluster.Hosting;
using Cohort.Cluster.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cohort.Cluster.Tests.Support;

/// <summary>
/// An ActorSystem built the way a node builds its own, by Akka.Hosting with <see cref="CohortHosting.AddJournal"/>,
/// minus remoting, clustering and regions. (Akka.Hosting.TestKit 1.5.74 is built on xunit v3, which clashes with
/// this project's xunit 2, so the plain TestKit is handed a system built here.)
/// </summary>
public sealed class ActorSystemHost : IAsyncDisposable
{
    private readonly IHost host;

    private ActorSystemHost(IHost host)
    {
        this.host = host;
        System = host.Services.GetRequiredService<ActorSystem>();
    }

    public ActorSystem System { get; }

    public static async Task<ActorSystemHost> StartAsync(string name, MessageFormats formats, string connectionString, string? hocon = null)
    {
        var host = new HostBuilder()
            .ConfigureServices(services => services.AddAkka(name, (akka, _) =>
            {
                CohortHosting.AddJournal(akka, formats, connectionString);
                if (hocon is not null)
                {
                    akka.AddHocon(hocon, HoconAddMode.Prepend);
                }
            }))
            .Build();
        await host.StartAsync();
        return new ActorSystemHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
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
