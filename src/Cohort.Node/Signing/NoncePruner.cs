using Cohort.Cluster.Hosting;
using Microsoft.Extensions.Options;

namespace Cohort.Node.Signing;

/// <summary>
/// Forgets nonces older than twice the signing window: a request accepted at t carried a timestamp no later than
/// t + Window, so a replay after t + 2 × Window is refused as stale without its nonce. Every node prunes; the
/// deletes are idempotent, and small slices keep each transaction short next to the inserts of live requests.
/// </summary>
internal sealed class NoncePruner(
    NonceStore nonces, NodeReadiness readiness, IOptions<SigningOptions> options, ILogger<NoncePruner> logger) : BackgroundService
{
    private const int Slice = 5_000;
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }
        await readiness.Migrations.WaitAsync(stoppingToken);
        var age = options.Value.Window * 2;
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await PruneAsync(age, stoppingToken);
            }
            // A failed round is retried on the next tick; a BackgroundService that throws would stop the node.
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Pruning request nonces failed: {Reason}. Retrying in {Interval}", e.Message, Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task PruneAsync(TimeSpan age, CancellationToken ct)
    {
        var total = 0;
        int deleted;
        do
        {
            deleted = await nonces.PruneAsync(age, Slice, ct);
            total += deleted;
        }
        while (deleted == Slice);
        if (total > 0)
        {
            logger.LogInformation("Pruned {Count} request nonces older than {Age}", total, age);
        }
    }
}
