using Cohort.Runtime.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cohort.Runtime.Cluster;

/// <summary>
/// Records this node in the <c>nodes</c> table every few seconds, so that any node can describe the cluster.
/// Membership itself is Kafka's: this is a directory for operators, not a failure detector.
/// </summary>
internal sealed class NodeHeartbeat(
    NpgsqlDataSource dataSource, NodeReadiness readiness, IOptions<NodeOptions> node, ILogger<NodeHeartbeat> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private readonly DateTime startedAt = DateTime.UtcNow;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await readiness.WaitForMigrationsAsync(stoppingToken);
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await using var cmd = dataSource.CreateCommand("""
                    INSERT INTO nodes (node_id, url, roles, started_at, last_seen) VALUES ($1, $2, $3, $4, now())
                    ON CONFLICT (node_id) DO UPDATE
                       SET url = excluded.url, roles = excluded.roles, started_at = excluded.started_at, last_seen = now()
                    """);
                cmd.Parameters.AddWithValue(node.Value.NodeId);
                cmd.Parameters.AddWithValue(node.Value.Url);
                cmd.Parameters.AddWithValue(NodeRoles.All);
                cmd.Parameters.AddWithValue(startedAt);
                await cmd.ExecuteNonQueryAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Recording node heartbeat failed: {Reason}", e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
