using Cohort.Runtime.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cohort.Runtime.Hosting;

/// <summary>Migrates the database at start, retrying until PostgreSQL answers; the node is not ready before.</summary>
internal sealed class MigrationService(Migrator migrator, NodeReadiness readiness, ILogger<MigrationService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await migrator.MigrateAsync(stoppingToken);
                readiness.Migrated();
                logger.LogInformation("Database schema is up to date ({Count} migrations)", Migrator.Scripts.Count);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Migrating the database failed: {Reason}. Retrying in 2 s", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
        }
    }
}
