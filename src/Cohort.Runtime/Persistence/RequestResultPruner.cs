using Cohort.Runtime.Singleton;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cohort.Runtime.Persistence;

/// <summary>
/// Deletes request results older than the retention, a slice at a time. A request retried after that
/// long is treated as new. It runs as a singleton so that one node does it.
/// </summary>
internal sealed class RequestResultPruner(
    NpgsqlDataSource dataSource, IOptions<PostgresOptions> options, ILogger<RequestResultPruner> logger) : ISingletonService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    public string Name => "request-result-pruner";

    public async Task RunAsync(SingletonLease lease, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(ct))
        {
            await using var cmd = dataSource.CreateCommand("""
                DELETE FROM request_results WHERE ctid = ANY (ARRAY(
                    SELECT ctid FROM request_results WHERE created_at < now() - $1 LIMIT 10000))
                """);
            cmd.Parameters.AddWithValue(options.Value.RequestResultRetention);
            var deleted = await cmd.ExecuteNonQueryAsync(ct);
            if (deleted > 0)
            {
                logger.LogInformation("Pruned {Count} request results older than {Retention}", deleted, options.Value.RequestResultRetention);
            }
        }
    }
}
