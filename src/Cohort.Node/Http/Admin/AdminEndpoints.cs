using Akka.Actor;
using Akka.Hosting;
using Cohort.Cluster.Hosting;
using Cohort.Cluster.Singletons;
using Cohort.Domain;
using Cohort.Node.Auth;
using Microsoft.Extensions.Options;

namespace Cohort.Node.Http.Admin;

/// <summary>Operator endpoints, admin only: the cluster as Akka knows it, reconciliation on demand; Prometheus metrics, open.</summary>
internal static class AdminEndpoints
{
    public static void MapAdminEndpoints(this WebApplication app)
    {
        var admin = app.MapGroup("/admin").RequireAdmin();
        admin.MapGet("/cluster", GetClusterAsync);
        admin.MapPost("/reconcile", ReconcileAsync);
        // Scrapers carry no token, and the metrics name no account.
        app.MapPrometheusScrapingEndpoint("/metrics");
    }

    /// <summary>A full reconciliation by the singleton, wherever it runs, once the reporting tables caught up with the journal.</summary>
    private static async Task<IResult> ReconcileAsync(IRequiredActor<ReconciliationActor> reconciler, CancellationToken ct)
    {
        ReconciliationReport report;
        try
        {
            report = await reconciler.ActorRef.Ask<ReconciliationReport>(new Reconcile(ReconciliationScope.Full), TimeSpan.FromSeconds(60), ct);
        }
        catch (AskTimeoutException)
        {
            return Problems.Of(Problems.Timeout, "the reconciliation singleton did not answer within 60 s");
        }
        return Results.Json(new
        {
            consistent = report.Consistent,
            checkedAt = report.CheckedAt,
            scope = report.Scope.ToString(),
            offset = report.Offset,
            records = report.Records,
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
    }

    /// <summary>
    /// Members (node id, address, status, reachability, roles), each region's shards with their entity counts per
    /// node, and where the singletons run (the oldest member) beside which ones run on the node answering.
    /// </summary>
    private static async Task<IResult> GetClusterAsync(ClusterStatus status, IOptions<NodeOptions> node, CancellationToken ct)
    {
        var view = await status.ReadAsync(TimeSpan.FromSeconds(3), ct);
        var nodeIds = view.Members.ToDictionary(m => m.Address, m => m.NodeId, StringComparer.Ordinal);
        string NodeOf(string address) => nodeIds.GetValueOrDefault(address, address);
        return Results.Json(new
        {
            servedBy = node.Value.NodeId,
            leader = view.Leader is null ? null : NodeOf(view.Leader),
            nodes = view.Members.Select(m => new
            {
                nodeId = m.NodeId,
                address = m.Address,
                status = m.Status,
                reachable = m.Reachable,
                roles = m.Roles,
                shards = view.Regions.ToDictionary(r => r.Name, r => r.ShardsByAddress.TryGetValue(m.Address, out var shards)
                    ? new { count = shards.Count, entities = shards.Values.Sum(), ids = shards.Keys.Order(StringComparer.Ordinal) }
                    : new { count = 0, entities = 0, ids = Enumerable.Empty<string>().Order() }),
            }),
            regionsUnknown = view.Regions.Where(r => !r.Known).Select(r => r.Name),
            singleton = view.SingletonAddress is null ? null : new { nodeId = NodeOf(view.SingletonAddress), address = view.SingletonAddress },
            local = new { nodeId = node.Value.NodeId, singletons = view.LocalSingletons },
        });
    }
}
