using Cohort.Cluster.Hosting;
using Npgsql;

namespace Cohort.Node.Http.Health;

/// <summary>Liveness (the process answers) and readiness (it can take commands now).</summary>
internal static class HealthEndpoints
{
    public static void MapHealthEndpoints(this WebApplication app)
    {
        app.MapGet("/health/live", () => Results.Json(new { status = "live" }));
        app.MapGet("/health/ready", ReadyAsync);
    }

    /// <summary>200 only when this node is an Up member of the cluster, PostgreSQL answers and the Kafka pipeline runs.</summary>
    private static async Task<IResult> ReadyAsync(NodeReadiness readiness, IServiceProvider services, NpgsqlDataSource db, CancellationToken ct)
    {
        var checks = new Dictionary<string, string>
        {
            ["migrations"] = readiness.MigrationsApplied ? "ok" : "pending",
            ["cluster"] = !readiness.MigrationsApplied ? "starting" : services.GetRequiredService<ClusterStatus>().IsUp ? "ok" : "joining",
            ["postgres"] = await PingAsync(db, ct),
            ["kafka"] = readiness.KafkaRunning ? "ok" : "starting",
        };
        var ready = checks.Values.All(v => v == "ok");
        return Results.Json(new { status = ready ? "ready" : "not_ready", checks },
            statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<string> PingAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await using var cmd = db.CreateCommand("SELECT 1");
            await cmd.ExecuteScalarAsync(timeout.Token);
            return "ok";
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException)
        {
            return $"unreachable: {e.Message}";
        }
    }
}
