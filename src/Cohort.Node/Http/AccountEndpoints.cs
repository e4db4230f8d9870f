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
            return await CommandAnswers.AskAsync(bus, AccountEntityType.TypeName, accountId, message, ct);
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
}
