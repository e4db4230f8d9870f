using System.Text;
using Cohort.Runtime.Ask;
using Cohort.Runtime.Hosting;
using Cohort.Runtime.Kafka;
using Cohort.Runtime.Partitions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cohort.Runtime.Tests.Support;

/// <summary>A Cohort node hosted inside the test process, against a real PostgreSQL and the Kafka mock cluster.</summary>
internal sealed class InProcessNode : IAsyncDisposable
{
    private readonly IHost host;

    private InProcessNode(IHost host) => this.host = host;

    public IServiceProvider Services => host.Services;

    public CommandBus Bus => host.Services.GetRequiredService<CommandBus>();

    public IPartitionView Partitions => host.Services.GetRequiredService<IPartitionView>();

    public static async Task<InProcessNode> StartAsync(
        string nodeId, string bootstrapServers, string connectionString, IDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cohort:Node:NodeId"] = nodeId,
            ["Cohort:Kafka:BootstrapServers"] = bootstrapServers,
            ["Cohort:Kafka:SessionTimeoutMs"] = "6000",
            ["Cohort:Postgres:ConnectionString"] = connectionString,
            ["Cohort:Node:AskTimeout"] = "00:00:10",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }
        builder.Services.AddCohortRuntime(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync();
        return new InProcessNode(host);
    }

    /// <summary>Waits until this node, alone in its group, owns every command partition of every entity type.</summary>
    public Task WaitForAllPartitionsAsync() =>
        WaitForPartitionsAsync(8 * CohortTopics.EntityTypes.Count, TimeSpan.FromSeconds(30));

    /// <summary>Waits until this node owns <paramref name="count"/> command partitions, all fenced and ready.</summary>
    public async Task WaitForPartitionsAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var owned = Partitions.Owned.Where(p => p.Topic.StartsWith("cohort.commands.", StringComparison.Ordinal)).ToList();
            if (owned.Count == count && owned.All(p => !p.Recovering && p.Epoch > 0)
                && host.Services.GetRequiredService<NodeReadiness>().RepliesListening)
            {
                return;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"node did not own {count} partitions within {timeout}: {string.Join(", ", Partitions.Owned)}");
    }

    public Task<string> AskAsync(string type, string accountId, string requestId, string asset, string amount) =>
        Bus.AskAsync("account", accountId, Encoding.UTF8.GetBytes(
            $$"""{"type":"{{type}}","requestId":"{{requestId}}","accountId":"{{accountId}}","asset":"{{asset}}","amount":"{{amount}}"}"""),
            CancellationToken.None);

    /// <summary>Starts a transfer and waits until it is completed or rejected; returns its final status and reason.</summary>
    public async Task<(string Status, string? Reason)> TransferAsync(Db db, string transferId, string from, string to, string asset, string amount)
    {
        var started = Answer.Parse(await Bus.AskAsync("transfer", transferId, Encoding.UTF8.GetBytes(
            $$"""{"type":"transfer","requestId":"{{transferId}}","from":"{{from}}","to":"{{to}}","asset":"{{asset}}","amount":"{{amount}}"}"""),
            CancellationToken.None));
        if (!started.Ok)
        {
            return ("refused", started.Code);
        }
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var status = await db.TransferStatusAsync(transferId);
            if (status.Status is "completed" or "rejected")
            {
                return status;
            }
            await Task.Delay(10);
        }
        throw new TimeoutException($"transfer {transferId} did not finish");
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}
