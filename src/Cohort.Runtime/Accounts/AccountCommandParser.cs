using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cohort.Domain;
using Cohort.Domain.Accounts;
using Cohort.Runtime.Entities;

namespace Cohort.Runtime.Accounts;

/// <summary>
/// Reads <c>{"type":"deposit","requestId":"r-1","accountId":"a-1","asset":"USDT","amount":"10.50"}</c>.
/// Amounts must be strings: a JSON number would already have passed through a binary float in many clients.
/// </summary>
internal static class AccountCommandParser
{
    public static ParsedCommand<AccountCommand> Parse(ReadOnlySpan<byte> json, decimal maxAmount)
    {
        string? type = null, requestId = null, accountId = null, asset = null, amount = null, transferId = null, counterparty = null;
        var amountIsString = true;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 4 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return ParsedCommand<AccountCommand>.Reject("", "", "the command must be a JSON object");
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
                var isString = reader.TokenType == JsonTokenType.String;
                var value = isString ? reader.GetString() : null;
                switch (name)
                {
                    case "type": type = value; break;
                    case "requestId": requestId = value; break;
                    case "accountId": accountId = value; break;
                    case "asset": asset = value; break;
                    case "transferId": transferId = value; break;
                    case "counterparty": counterparty = value; break;
                    case "amount":
                        amount = value;
                        amountIsString = isString || reader.TokenType == JsonTokenType.Null;
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            return ParsedCommand<AccountCommand>.Reject("", "", $"the command is not valid JSON: {e.Message}");
        }
        return Validate(type, requestId ?? "", accountId ?? "", asset, amount, amountIsString, maxAmount, transferId, counterparty);
    }

    public static ParsedCommand<AccountCommand> Validate(
        string? type, string requestId, string accountId, string? asset, string? amountText, bool amountIsString, decimal maxAmount,
        string? transferId = null, string? counterparty = null)
    {
        if (!Identifier.IsValid(requestId))
        {
            return ParsedCommand<AccountCommand>.Reject(accountId, "", $"requestId is required: 1-{Identifier.MaxLength} characters of letters, digits and -_.:@");
        }
        if (!Identifier.IsValid(accountId))
        {
            return ParsedCommand<AccountCommand>.Reject("", requestId, $"accountId is required: 1-{Identifier.MaxLength} characters of letters, digits and -_.:@");
        }
        if (!AssetCode.IsValid(asset))
        {
            return ParsedCommand<AccountCommand>.Reject(accountId, requestId, $"asset must be 1-{AssetCode.MaxLength} characters of A-Z and 0-9");
        }
        if (!amountIsString)
        {
            return ParsedCommand<AccountCommand>.Reject(accountId, requestId, "amount must be a decimal string such as \"10.50\", not a JSON number");
        }
        if (!Amount.TryParsePositive(amountText, maxAmount, out var amount, out var error))
        {
            return ParsedCommand<AccountCommand>.Reject(accountId, requestId, error);
        }
        AccountCommand? command = type switch
        {
            "deposit" => new Deposit(asset!, amount),
            "withdraw" => new Withdraw(asset!, amount),
            "freeze" => new Freeze(asset!, amount),
            "unfreeze" => new Unfreeze(asset!, amount),
            "settle" => new Settle(asset!, amount),
            "transferDebit" or "transferCredit" or "transferRefund" when !Identifier.IsValid(transferId) || !Identifier.IsValid(counterparty) => null,
            "transferDebit" => new TransferDebit(asset!, amount, transferId!, counterparty!),
            "transferCredit" => new TransferCredit(asset!, amount, transferId!, counterparty!),
            "transferRefund" => new TransferRefund(asset!, amount, transferId!, counterparty!),
            _ => null,
        };
        if (command is null)
        {
            return ParsedCommand<AccountCommand>.Reject(accountId, requestId,
                $"type '{type}' is not an account command (deposit, withdraw, freeze, unfreeze, settle; transfer steps need transferId and counterparty)");
        }
        var meaning = $"{type}\n{accountId}\n{asset}\n{Amount.Format(Amount.Normalize(amount))}\n{transferId}\n{counterparty}";
        return new ParsedCommand<AccountCommand>(accountId, requestId, command, SHA256.HashData(Encoding.UTF8.GetBytes(meaning)), null);
    }
}
