using System.Text.Json;
using Cohort.Cluster.Persistence;
using Cohort.Domain;
using Cohort.Domain.Accounts;

namespace Cohort.Cluster.Entities.Accounts;

/// <summary>
/// Reads <c>{"type":"deposit","requestId":"r-1","accountId":"a-1","asset":"USDT","amount":"10.50"}</c>, from Kafka or
/// field by field from HTTP. Amounts must be strings: a JSON number would already have passed through a binary float
/// in many clients. Transfer legs are not public commands: only a transfer sends them.
/// </summary>
public static class AccountCommandParser
{
    public const string PublicTypes = "deposit, withdraw, freeze, unfreeze, settle";

    public static Parsed<AccountCommandEnvelope> Parse(ReadOnlySpan<byte> json, decimal maxAmount)
    {
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            return Parsed<AccountCommandEnvelope>.Invalid("the command is not valid UTF-8");
        }
        string? type = null, requestId = null, accountId = null, asset = null, amount = null;
        var amountIsString = true;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 4 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Parsed<AccountCommandEnvelope>.Invalid("the command must be a JSON object");
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }
                var value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                switch (name)
                {
                    case "type": type = value; break;
                    case "requestId": requestId = value; break;
                    case "accountId": accountId = value; break;
                    case "asset": asset = value; break;
                    case "amount":
                        amount = value;
                        amountIsString = reader.TokenType is JsonTokenType.String or JsonTokenType.Null;
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            return Parsed<AccountCommandEnvelope>.Invalid($"the command is not valid JSON: {e.Message}");
        }
        return Validate(type, requestId, accountId, asset, amount, amountIsString, maxAmount);
    }

    public static Parsed<AccountCommandEnvelope> Validate(
        string? type, string? requestId, string? accountId, string? asset, string? amountText, bool amountIsString, decimal maxAmount)
    {
        if (!Identifier.IsValid(requestId))
        {
            return Parsed<AccountCommandEnvelope>.Invalid($"requestId is required: 1-{Identifier.MaxLength} characters of letters, digits and -_.:@");
        }
        if (!Identifier.IsValid(accountId))
        {
            return Parsed<AccountCommandEnvelope>.Invalid($"accountId is required: 1-{Identifier.MaxLength} characters of letters, digits and -_.:@");
        }
        if (!AssetCode.IsValid(asset))
        {
            return Parsed<AccountCommandEnvelope>.Invalid($"asset must be 1-{AssetCode.MaxLength} characters of A-Z and 0-9");
        }
        if (!amountIsString)
        {
            return Parsed<AccountCommandEnvelope>.Invalid("amount must be a decimal string such as \"10.50\", not a JSON number");
        }
        if (!Amount.TryParsePositive(amountText, maxAmount, out var amount, out var error))
        {
            return Parsed<AccountCommandEnvelope>.Invalid(error);
        }
        var command = type is "deposit" or "withdraw" or "freeze" or "unfreeze" or "settle" ? Create(type, asset!, amount, null, null) : null;
        return command is null
            ? Parsed<AccountCommandEnvelope>.Invalid($"type '{type}' is not an account command ({PublicTypes})")
            : Parsed<AccountCommandEnvelope>.Valid(Envelope(accountId!, requestId!, command));
    }

    /// <summary>A command for an account, its request id's hash taken from what it means, not how it was written.</summary>
    public static AccountCommandEnvelope Envelope(string accountId, string requestId, AccountCommand command)
    {
        var (transferId, counterparty) = Leg(command);
        var meaning = $"{TypeOf(command)}\n{accountId}\n{command.Asset}\n{Amount.Format(Amount.Normalize(command.Amount))}\n{transferId}\n{counterparty}";
        return new AccountCommandEnvelope(accountId, requestId, RequestHash.Of(meaning), command);
    }

    public static AccountCommand? Create(string type, string asset, decimal amount, string? transferId, string? counterparty) => type switch
    {
        "deposit" => new Deposit(asset, amount),
        "withdraw" => new Withdraw(asset, amount),
        "freeze" => new Freeze(asset, amount),
        "unfreeze" => new Unfreeze(asset, amount),
        "settle" => new Settle(asset, amount),
        "transferDebit" or "transferCredit" or "transferRefund" when !Identifier.IsValid(transferId) || !Identifier.IsValid(counterparty) => null,
        "transferDebit" => new TransferDebit(asset, amount, transferId!, counterparty!),
        "transferCredit" => new TransferCredit(asset, amount, transferId!, counterparty!),
        "transferRefund" => new TransferRefund(asset, amount, transferId!, counterparty!),
        _ => null,
    };

    public static string TypeOf(AccountCommand command) => command switch
    {
        Deposit => "deposit",
        Withdraw => "withdraw",
        Freeze => "freeze",
        Unfreeze => "unfreeze",
        Settle => "settle",
        TransferDebit => "transferDebit",
        TransferCredit => "transferCredit",
        TransferRefund => "transferRefund",
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, "unknown account command"),
    };

    /// <summary>The transfer a leg command belongs to, and the other account; nulls for a plain command.</summary>
    public static (string? TransferId, string? Counterparty) Leg(AccountCommand command) => command switch
    {
        TransferDebit d => (d.TransferId, d.Counterparty),
        TransferCredit c => (c.TransferId, c.Counterparty),
        TransferRefund r => (r.TransferId, r.Counterparty),
        _ => (null, null),
    };
}
