using System.Text;
using Cohort.Domain;
using Cohort.Runtime.Cluster;
using Cohort.Runtime.Hosting;
using Cohort.Runtime.Metrics;
using Cohort.Runtime.Partitions;
using Cohort.Runtime.Reconciliation;
using Microsoft.Extensions.Options;

namespace Cohort.Node.Http;

/// <summary>Operator endpoints: the cluster map, reconciliation on demand, Prometheus metrics.</summary>
internal static class AdminEndpoints
{
    public static void MapAdminEndpoints(this WebApplication app)
    {
        app.MapGet("/admin/cluster", GetClusterAsync);
        app.MapPost("/admin/reconcile", async (ReconciliationService reconciliation, CancellationToken ct) =>
        {
            var report = await reconciliation.ReconcileAsync(ReconciliationScope.Full, ct);
            return Results.Json(new
            {
                consistent = report.Consistent,
                checkedAt = report.CheckedAt,
                scope = report.Scope.ToString(),
                events = report.Events,
                accounts = report.Accounts,
                stuckTransfers = report.StuckTransfers,
                assets = report.Assets.Select(a => new
                {
                    asset = a.Asset,
                    balances = Amount.Format(a.Balances),
                    inFlight = Amount.Format(a.InFlight),
                    expected = Amount.Format(a.Expected),
                }),
                mismatches = report.Mismatches.Select(m => new { kind = m.Kind, subject = m.Subject, detail = m.Detail }),
            });
        });
        app.MapGet("/metrics", (RuntimeMetrics metrics) =>
        {
            var text = new StringBuilder();
            metrics.Render(text);
            return Results.Text(text.ToString(), "text/plain; version=0.0.4");
        });
    }

    private static async Task<IResult> GetClusterAsync(
        ClusterView view, IPartitionView local, IOptions<NodeOptions> node, CancellationToken ct)
    {
        var cluster = await view.ReadAsync(ct);
        var nodes = cluster.Nodes.Select(n => new
        {
            nodeId = n.NodeId,
            url = n.Url,
            roles = n.Roles,
            status = n.Up ? "up" : "down",
            startedAt = n.StartedAt,
            lastSeen = n.LastSeen,
            partitions = cluster.Partitions
                .Where(p => p.NodeId == n.NodeId)
                .GroupBy(p => p.Topic)
                .ToDictionary(g => g.Key, g => g.Select(p => new { partition = p.Partition, epoch = p.Epoch, acquiredAt = p.AcquiredAt })),
        });
        return Results.Json(new
        {
            servedBy = node.Value.NodeId,
            nodes,
            singleton = cluster.Singleton is { } s ? new { nodeId = s.NodeId, epoch = s.Epoch, acquiredAt = s.AcquiredAt } : null,
            local = new
            {
                nodeId = node.Value.NodeId,
                owned = local.Owned.Select(p => new { topic = p.Topic, partition = p.Partition, epoch = p.Epoch, recovering = p.Recovering }),
            },
        });
    }
}
