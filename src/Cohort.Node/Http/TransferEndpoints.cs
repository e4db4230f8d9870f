using System.Buffers;
using System.Text.Json;
using Cohort.Domain;
using Cohort.Domain.Transfers;
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
    /// <summary>How often a waiting POST looks at the transfer's status once the transfer has started.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);

    public static void MapTransferEndpoints(this WebApplication app)
    {
        app.MapPost("/api/v1/transfers", PostAsync);
        app.MapGet("/api/v1/transfers/{requestId}", GetAsync);
    }

    private static async Task<IResult> PostAsync(
        HttpRequest request, TransferEntityType type, CommandBus bus, NpgsqlDataSource db, IOptions<NodeOptions> node, CancellationToken ct)
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

        var deadline = DateTime.UtcNow + node.Value.AskTimeout;
        var started = await CommandAnswers.AskAsync(bus, TransferEntityType.TypeName, requestId, message, ct);
        if (started is not CommandAnswers.Accepted)
        {
            return started.ToResult();
        }
        while (DateTime.UtcNow < deadline)
        {
            var transfer = await ReadAsync(db, requestId, ct);
            if (transfer is { Status: not "pending" })
            {
                return ToResult(transfer);
            }
            await Task.Delay(PollInterval, ct);
        }
        return Problems.Of(Problems.Timeout, $"transfer '{requestId}' is still pending; retry with the same request id to learn its outcome");
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
        await using var cmd = db.CreateCommand(
            "SELECT from_account, to_account, asset, amount, status, reason FROM transfers WHERE transfer_id = $1");
        cmd.Parameters.AddWithValue(requestId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }
        var terms = new TransferTerms(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetDecimal(3));
        var status = reader.GetString(4);
        var reason = reader.IsDBNull(5) ? null : reader.GetString(5);
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            TransferEntityType.WriteTransfer(w, requestId, terms, status, reason);
        }
        return new TransferView(requestId, status, reason, System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    private sealed record TransferView(string RequestId, string Status, string? Reason, string Json);
}
