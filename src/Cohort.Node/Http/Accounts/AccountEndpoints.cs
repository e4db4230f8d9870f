using Akka.Hosting;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Domain;
using Cohort.Node.Auth;
using Microsoft.Extensions.Options;

namespace Cohort.Node.Http.Accounts;

/// <summary>
/// The account API: <c>/api/v1/accounts/{id}</c>, its balance-changing commands and its ledger. The owner reads its
/// account; the commands are service operations (admin or a signed request): orders rely on frozen funds, so an owner
/// must not unfreeze them, nor credit itself.
/// </summary>
internal static class AccountEndpoints
{
    private const int MaxLedgerPage = 1000;

    private static readonly string[] Commands = ["deposit", "withdraw", "freeze", "unfreeze", "settle"];

    public static void MapAccountEndpoints(this WebApplication app)
    {
        var accounts = app.MapGroup("/api/v1/accounts");
        foreach (var command in Commands)
        {
            accounts.MapPost($"/{{accountId}}/{command}",
                (string accountId, HttpRequest request, IRequiredActor<AccountRegion> region, EntityAsk ask, IOptions<AccountOptions> options, CancellationToken ct) =>
                    PostCommandAsync(command, accountId, request, region, ask, options.Value, ct))
                .RequireService();
        }
        accounts.MapGet("/{accountId}", GetAccountAsync).RequireAccount();
        accounts.MapGet("/{accountId}/ledger", GetLedgerAsync).RequireAccount();
    }

    private static async Task<IResult> PostCommandAsync(
        string command, string accountId, HttpRequest request, IRequiredActor<AccountRegion> region, EntityAsk ask, AccountOptions options,
        CancellationToken ct)
    {
        var (doc, error) = await JsonBody.ReadAsync(request, ct);
        if (doc is null)
        {
            return Problems.Validation(error!);
        }
        using (doc)
        {
            var body = doc.RootElement;
            if (!JsonBody.IsAbsentOrString(body, "requestId") || !JsonBody.IsAbsentOrString(body, "asset"))
            {
                return Problems.Validation("requestId and asset must be strings");
            }
            var parsed = AccountCommandParser.Validate(command, JsonBody.String(body, "requestId") ?? "", accountId,
                JsonBody.String(body, "asset"), JsonBody.String(body, "amount"), JsonBody.IsAbsentOrString(body, "amount"), options.MaxAmount);
            if (parsed.Message is not { } envelope)
            {
                return Problems.Validation(parsed.Error!);
            }
            var reply = await ask.AskAsync(region.ActorRef, AccountRegion.TypeName, envelope, ct);
            return EntityAsk.ToResult(reply, $"{command} '{envelope.RequestId}' on account '{accountId}'");
        }
    }

    /// <summary>The account's balances from the account itself: a command answered before this GET shows in it.</summary>
    private static async Task<IResult> GetAccountAsync(string accountId, IRequiredActor<AccountRegion> region, EntityAsk ask, CancellationToken ct)
    {
        if (!Identifier.IsValid(accountId))
        {
            return Problems.Validation($"accountId must be 1-{Identifier.MaxLength} characters of letters, digits and -_.:@");
        }
        var reply = await ask.AskAsync(region.ActorRef, AccountRegion.TypeName, new GetAccount(accountId), ct);
        if (reply is not AccountBalances account)
        {
            return Problems.Of(Problems.Timeout, $"account '{accountId}' did not answer in time; retry");
        }
        return Results.Json(new
        {
            accountId,
            balances = account.Balances.Select(b => new { asset = b.Asset, available = Amount.Format(b.Available), frozen = Amount.Format(b.Frozen) }),
        });
    }

    /// <summary>
    /// Pages through an account's ledger in <c>seqNr</c> order: pass the last <c>seqNr</c> seen as <c>after</c>.
    /// Each entry's <c>entryId</c> is its <c>seqNr</c>, so v1 clients that page by <c>entryId</c> keep working.
    /// </summary>
    internal static async Task<IResult> GetLedgerAsync(
        string accountId, string? asset, long? after, int? limit, AccountLedger ledger, CancellationToken ct)
    {
        if (!Identifier.IsValid(accountId))
        {
            return Problems.Validation($"accountId must be 1-{Identifier.MaxLength} characters of letters, digits and -_.:@");
        }
        if (asset is not null && !AssetCode.IsValid(asset))
        {
            return Problems.Validation($"asset must be 1-{AssetCode.MaxLength} characters of A-Z and 0-9");
        }
        if (limit is < 1 or > MaxLedgerPage || after is < 0)
        {
            return Problems.Validation($"limit must be 1-{MaxLedgerPage} and after a non-negative seqNr");
        }
        var pageSize = limit ?? 100;
        var entries = await ledger.ReadAsync(accountId, asset, after ?? 0, pageSize, ct);
        return Results.Json(new
        {
            accountId,
            entries = entries.Select(e => new
            {
                entryId = e.SeqNr,
                asset = e.Asset,
                seqNr = e.SeqNr,
                kind = e.Kind,
                deltaAvailable = Amount.Format(e.DeltaAvailable),
                deltaFrozen = Amount.Format(e.DeltaFrozen),
                availableAfter = Amount.Format(e.AvailableAfter),
                frozenAfter = Amount.Format(e.FrozenAfter),
                requestId = e.RequestId,
                createdAt = e.At,
            }),
            next = entries.Count == pageSize ? entries[^1].SeqNr : (long?)null,
        });
    }
}
