using System.Diagnostics;
using Akka.Hosting;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Entities.Transfers;
using Cohort.Domain;
using Cohort.Node.Auth;
using Microsoft.Extensions.Options;

namespace Cohort.Node.Http.Transfers;

/// <summary>
/// <c>POST /api/v1/transfers</c> starts a transfer and answers once it is completed or rejected;
/// <c>GET /api/v1/transfers/{requestId}</c> tells where it is, from the transfer's journal. The sender starts a
/// transfer (or admin, or a service); its two parties read it.
/// </summary>
internal static class TransferEndpoints
{
    public static void MapTransferEndpoints(this WebApplication app)
    {
        app.MapPost("/api/v1/transfers", PostAsync).RequireCaller();
        app.MapGet("/api/v1/transfers/{requestId}", GetAsync).RequireCaller();
    }

    private static async Task<IResult> PostAsync(
        HttpContext context, HttpRequest request, IRequiredActor<TransferRegion> region, EntityAsk ask, IOptions<AccountOptions> accounts, CancellationToken ct)
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
        if (AccountAccess.Check(context, start.Terms.From) is { } refused)
        {
            return refused;
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

    private static async Task<IResult> GetAsync(HttpContext context, string requestId, TransferHistory history, CancellationToken ct)
    {
        if (!Identifier.IsValid(requestId))
        {
            return Problems.Validation($"requestId must be 1-{Identifier.MaxLength} characters of letters, digits and -_.:@");
        }
        if (await history.ReadAsync(requestId, ct) is not { } transfer)
        {
            return Problems.Of(Problems.NotFound, $"no transfer '{requestId}'");
        }
        var caller = AccountAccess.AccountOf(context);
        return AccountAccess.ActsOnAnyAccount(context) || caller == transfer.Terms.From || caller == transfer.Terms.To
            ? EntityAsk.ToResult(transfer, $"transfer '{requestId}'")
            : Problems.Of(Problems.Forbidden, $"transfer '{requestId}' is not between your account and another");
    }
}
