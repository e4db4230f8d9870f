using Cohort.Runtime.Hosting;
using Cohort.Runtime.Kafka;
using Cohort.Runtime.Persistence;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cohort.Runtime.Singleton;

/// <summary>
/// Starts the registered singleton services when this node is assigned partition 0 of
/// <c>cohort.singleton</c>, after taking a new epoch for it, and stops them when the partition goes.
/// </summary>
public sealed class SingletonRunner(
    IEnumerable<ISingletonService> services, PartitionEpochs epochs, IOptions<NodeOptions> node, ILogger<SingletonRunner> logger)
{
    private readonly Lock gate = new();
    private CancellationTokenSource? running;
    private Task all = Task.CompletedTask;

    /// <summary>The epoch this node runs the singletons with; 0 when it does not run them.</summary>
    public long Epoch { get; private set; }

    internal void OnAssigned()
    {
        lock (gate)
        {
            if (running is not null)
            {
                return;
            }
            running = new CancellationTokenSource();
            var ct = running.Token;
            all = Task.Run(() => RunAllAsync(ct), CancellationToken.None);
        }
    }

    internal async Task OnRevokedAsync()
    {
        Task stopping;
        lock (gate)
        {
            if (running is null)
            {
                return;
            }
            running.Cancel();
            running = null;
            stopping = all;
        }
        await stopping;
    }

    private async Task RunAllAsync(CancellationToken ct)
    {
        try
        {
            var epoch = await AcquireAsync(ct);
            Epoch = epoch;
            logger.LogInformation("Running the cluster singletons with epoch {Epoch}", epoch);
            var lease = new SingletonLease(epoch, epochs);
            await Task.WhenAll(services.Select(s => RunOneAsync(s, lease, ct)));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            Epoch = 0;
            logger.LogInformation("Stopped the cluster singletons");
        }
    }

    private async Task<long> AcquireAsync(CancellationToken ct)
    {
        while (true)
        {
            try
            {
                return await epochs.AcquireAsync(CohortTopics.Singleton, 0, node.Value.NodeId, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Taking the singleton partition failed; retrying in 1 s");
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
    }

    private async Task RunOneAsync(ISingletonService service, SingletonLease lease, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await service.RunAsync(lease, ct);
                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Singleton {Singleton} failed; restarting it in 5 s", service.Name);
                await Task.Delay(TimeSpan.FromSeconds(5), ct).ContinueWith(_ => { }, CancellationToken.None);
            }
        }
    }
}
