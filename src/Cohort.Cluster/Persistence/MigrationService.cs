using Cohort.Cluster.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cohort.Cluster.Persistence;

/// <summary>
/// Migrates the database before anything else starts: it is registered ahead of the ActorSystem, whose journal
/// expects the tables, and the host starts hosted services one after the other. Retries until PostgreSQL answers.
/// </summary>
internal sealed class MigrationService(Migrator migrator, NodeReadiness readiness, ILogger<MigrationService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await migrator.MigrateAsync(cancellationToken);
                readiness.Migrated();
                logger.LogInformation("Database schema is up to date ({Count} migrations)", Migrator.Scripts.Count);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Migrating the database failed: {Reason}. Retrying in 2 s", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
