using System.Diagnostics;
using System.Text.Json;
using Cohort.Domain;
using Cohort.Runtime.Ask;
using Cohort.Runtime.Hosting;
using Cohort.Runtime.Transfers;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cohort.Node.Http;

/// <summary>
/// <c>POST /api/v1/transfers</c> starts a transfer and answers once it is completed or rejected;
/// <c>GET /api/v1/transfers/{requestId}</c> tells where it is.
/// </summary>
internal static class TransferEndpoints
{
    public static IServiceCollection AddTransferEndpoints(this IServiceCollection services) => services
        .AddSingleton<TransferOutcomes>()
        .AddHostedService(sp => sp.GetRequiredService<TransferOutcomes>());

    public static void MapTransferEndpoints(this WebApplication app)
    {
        app.MapPost("/api/v1/transfers", PostAsync);
        app.MapGet("/api/v1/transfers/{requestId}", GetAsync);
    }

    private static async Task<IResult> PostAsync(
        HttpRequest request, TransferEntityType type, CommandBus bus, TransferOutcomes outcomes, IOptions<NodeOptions> node, CancellationToken ct)
    {
        var (doc, error) = await JsonBody.ReadAsync(request, ct);
        if (doc is null)
        {
            return Problems.Validation(error!);
        }
        byte[] message;
        string requestId;
        using (doc)
        {
            var body = doc.RootElement;
            requestId = JsonBody.String(body, "requestId") ?? "";
            var from = JsonBody.String(body, "from");
            var to = JsonBody.String(body, "to");
            var asset = JsonBody.String(body, "asset");
            var amount = JsonBody.String(body, "amount");
            var parsed = type.Validate(requestId, from, to, asset, amount, JsonBody.IsAbsentOrString(body, "amount"));
            if (parsed.Invalid is { } invalid)
            {
                return Problems.Validation(invalid.Message);
            }
            message = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string?>
            {
                ["type"] = "transfer", ["requestId"] = requestId, ["from"] = from, ["to"] = to, ["asset"] = asset, ["amount"] = amount,
            });
        }

        var started = Stopwatch.GetTimestamp();
        var answer = await CommandAnswers.AskAsync(bus, TransferEntityType.TypeName, requestId, message, ct);
        if (answer is not CommandAnswers.Accepted)
        {
            return answer.ToResult();
        }
        var left = node.Value.AskTimeout - Stopwatch.GetElapsedTime(started);
        try
        {
            return ToResult(await outcomes.WaitAsync(requestId, left > TimeSpan.Zero ? left : TimeSpan.Zero, ct));
        }
        catch (TimeoutException)
        {
            return Problems.Of(Problems.Timeout, $"transfer '{requestId}' is still pending; retry with the same request id to learn its outcome");
        }
    }

    private static async Task<IResult> GetAsync(string requestId, NpgsqlDataSource db, CancellationToken ct)
    {
        if (!Identifier.IsValid(requestId))
        {
            return Problems.Validation($"requestId must be 1-{Identifier.MaxLength} characters of letters, digits and -_.:@");
        }
        var transfer = await ReadAsync(db, requestId, ct);
        return transfer is null
            ? Problems.Of(Problems.NotFound, $"no transfer '{requestId}'")
            : Results.Content(transfer.Json, "application/json");
    }

    private static IResult ToResult(TransferView transfer) => transfer.Status == "rejected"
        ? Problems.Of(transfer.Reason ?? RejectionCodes.InsufficientFunds, $"transfer '{transfer.RequestId}' was rejected: {transfer.Reason}; nothing moved")
        : Results.Content(transfer.Json, "application/json");

    private static async Task<TransferView?> ReadAsync(NpgsqlDataSource db, string requestId, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"SELECT {TransferView.Columns} FROM transfers WHERE transfer_id = $1");
        cmd.Parameters.AddWithValue(requestId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? TransferView.FromRow(reader) : null;
    }
}
