using Cohort.Runtime.Hosting;
using Cohort.Runtime.Partitions;
using Npgsql;

namespace Cohort.Node.Http;

/// <summary>Liveness (the process answers) and readiness (it can take commands now).</summary>
internal static class HealthEndpoints
{
    public static void MapHealthEndpoints(this WebApplication app)
    {
        app.MapGet("/health/live", () => Results.Json(new { status = "live" }));
        app.MapGet("/health/ready", ReadyAsync);
    }

    private static async Task<IResult> ReadyAsync(NodeReadiness readiness, IPartitionView partitions, NpgsqlDataSource db, CancellationToken ct)
    {
        var checks = new Dictionary<string, string>
        {
            ["postgres"] = await PingAsync(db, ct),
            ["migrations"] = readiness.MigrationsApplied ? "ok" : "pending",
            ["kafka"] = readiness.KafkaJoinedGroup && readiness.RepliesListening ? "ok" : "connecting",
            ["partitions"] = !partitions.HasJoined ? "awaiting_assignment" : partitions.IsRecovering ? "recovering" : "ok",
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
