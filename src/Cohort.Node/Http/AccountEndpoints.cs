using System.Text.Json;
using Cohort.Domain;
using Cohort.Runtime.Accounts;
using Cohort.Runtime.Ask;
using Npgsql;

namespace Cohort.Node.Http;

/// <summary>The account API: <c>/api/v1/accounts/{id}</c> and its balance-changing commands.</summary>
internal static class AccountEndpoints
{
    private static readonly string[] Commands = ["deposit", "withdraw", "freeze", "unfreeze", "settle"];

    public static void MapAccountEndpoints(this WebApplication app)
    {
        var accounts = app.MapGroup("/api/v1/accounts");
        foreach (var command in Commands)
        {
            accounts.MapPost($"/{{accountId}}/{command}", (string accountId, HttpRequest request, AccountEntityType type, CommandBus bus, CancellationToken ct) =>
                PostCommandAsync(command, accountId, request, type, bus, ct));
        }
        accounts.MapGet("/{accountId}", GetAccountAsync);
        accounts.MapGet("/{accountId}/ledger", GetLedgerAsync);
    }

    private static async Task<IResult> PostCommandAsync(
        string command, string accountId, HttpRequest request, AccountEntityType type, CommandBus bus, CancellationToken ct)
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
            var requestId = JsonBody.String(body, "requestId") ?? "";
            var asset = JsonBody.String(body, "asset");
            var amount = JsonBody.String(body, "amount");
            var parsed = type.Validate(command, requestId, accountId, asset, amount, JsonBody.IsAbsentOrString(body, "amount"));
            if (parsed.Invalid is { } invalid)
            {
                return Problems.Validation(invalid.Message);
            }
            var message = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string?>
            {
                ["type"] = command, ["requestId"] = requestId, ["accountId"] = accountId, ["asset"] = asset, ["amount"] = amount,
            });
            return (await CommandAnswers.AskAsync(bus, AccountEntityType.TypeName, accountId, message, ct)).ToResult();
        }
    }

    private static async Task<IResult> GetAccountAsync(string accountId, NpgsqlDataSource db, CancellationToken ct)
    {
        if (!Identifier.IsValid(accountId))
        {
            return Problems.Validation($"accountId must be 1-{Identifier.MaxLength} characters of letters, digits and -_.:@");
        }
        await using var cmd = db.CreateCommand(
            "SELECT asset, available, frozen FROM account_balances WHERE account_id = $1 ORDER BY asset");
        cmd.Parameters.AddWithValue(accountId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var balances = new List<object>();
        while (await reader.ReadAsync(ct))
        {
            balances.Add(new
            {
                asset = reader.GetString(0),
                available = Amount.Format(reader.GetDecimal(1)),
                frozen = Amount.Format(reader.GetDecimal(2)),
            });
        }
        return Results.Json(new { accountId, balances });
    }

    private const int MaxLedgerPage = 1000;

    /// <summary>
    /// Pages through an account's ledger in <c>seqNr</c> order: pass the last <c>seqNr</c> seen as <c>after</c>.
    /// Each entry's <c>entryId</c> is its <c>seqNr</c>, so v1 clients that page by <c>entryId</c> keep working.
    /// </summary>
    internal static async Task<IResult> GetLedgerAsync(
        string accountId, string? asset, long? after, int? limit, NpgsqlDataSource db, CancellationToken ct)
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
        // The primary key (account_id, seq_nr) serves the page; an asset filter skips the account's other entries.
        await using var cmd = db.CreateCommand("""
            SELECT seq_nr, asset, kind, delta_available, delta_frozen, available_after, frozen_after, request_id, created_at
              FROM ledger
             WHERE account_id = $1 AND seq_nr > $3 AND ($2::text IS NULL OR asset = $2)
             ORDER BY seq_nr
             LIMIT $4
            """);
        cmd.Parameters.AddWithValue(accountId);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)asset ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.AddWithValue(after ?? 0L);
        cmd.Parameters.AddWithValue(pageSize);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var entries = new List<object>();
        long last = 0;
        while (await reader.ReadAsync(ct))
        {
            last = reader.GetInt64(0);
            entries.Add(new
            {
                entryId = last,
                asset = reader.GetString(1),
                seqNr = last,
                kind = reader.GetString(2),
                deltaAvailable = Amount.Format(reader.GetDecimal(3)),
                deltaFrozen = Amount.Format(reader.GetDecimal(4)),
                availableAfter = Amount.Format(reader.GetDecimal(5)),
                frozenAfter = Amount.Format(reader.GetDecimal(6)),
                requestId = reader.GetString(7),
                createdAt = reader.GetDateTime(8),
            });
        }
        return Results.Json(new { accountId, entries, next = entries.Count == pageSize ? last : (long?)null });
    }
}
