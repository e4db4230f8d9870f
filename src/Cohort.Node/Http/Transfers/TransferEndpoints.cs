using System.Diagnostics;
using Akka.Hosting;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Entities.Transfers;
using Cohort.Domain;
using Microsoft.Extensions.Options;

namespace Cohort.Node.Http.Transfers;

/// <summary>
/// <c>POST /api/v1/transfers</c> starts a transfer and answers once it is completed or rejected;
/// <c>GET /api/v1/transfers/{requestId}</c> tells where it is, from the transfer's journal.
/// </summary>
internal static class TransferEndpoints
{
    public static void MapTransferEndpoints(this WebApplication app)
    {
        app.MapPost("/api/v1/transfers", PostAsync);
        app.MapGet("/api/v1/transfers/{requestId}", GetAsync);
    }

    private static async Task<IResult> PostAsync(
        HttpRequest request, IRequiredActor<TransferRegion> region, EntityAsk ask, IOptions<AccountOptions> accounts, CancellationToken ct)
    {
        var (doc, error) = await JsonBody.ReadAsync(request, ct);
        if (doc is null)
        {
            return Problems.Validation(error!);
        }
        TransferCommandEnvelope start;
        using (doc)
        {
            var body = doc.RootElement;
            var parsed = TransferCommandParser.Validate(JsonBody.String(body, "requestId"), JsonBody.String(body, "from"),
                JsonBody.String(body, "to"), JsonBody.String(body, "asset"), JsonBody.String(body, "amount"),
                JsonBody.IsAbsentOrString(body, "amount"), accounts.Value.MaxAmount);
            if (parsed.Message is not { } envelope)
            {
                return Problems.Validation(parsed.Error!);
            }
            start = envelope;
        }

        var started = Stopwatch.GetTimestamp();
        var reply = await ask.AskAsync(region.ActorRef, TransferRegion.TypeName, start, ct);
        if (reply is TransferAnswer { IsFinal: false })
        {
            var left = ask.Timeout - Stopwatch.GetElapsedTime(started);
            reply = left > TimeSpan.Zero ? await ask.AskAsync(region.ActorRef, TransferRegion.TypeName, new AwaitTransfer(start.TransferId), left, ct) : null;
            if (reply is null)
            {
                return Problems.Of(Problems.Timeout, $"transfer '{start.TransferId}' is still pending; retry with the same request id to learn its outcome");
            }
        }
        return reply is TransferAnswer { Status: TransferAnswer.Rejected } rejected
            ? Problems.Of(rejected.Reason ?? RejectionCodes.InsufficientFunds, $"transfer '{rejected.TransferId}' was rejected: {rejected.Reason}; nothing moved")
            : EntityAsk.ToResult(reply, $"transfer '{start.TransferId}'");
    }

    private static async Task<IResult> GetAsync(string requestId, TransferHistory history, CancellationToken ct)
    {
        if (!Identifier.IsValid(requestId))
        {
            return Problems.Validation($"requestId must be 1-{Identifier.MaxLength} characters of letters, digits and -_.:@");
        }
        return await history.ReadAsync(requestId, ct) is { } transfer
            ? EntityAsk.ToResult(transfer, $"transfer '{requestId}'")
            : Problems.Of(Problems.NotFound, $"no transfer '{requestId}'");
    }
}
