using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cohort.Domain;
using Cohort.Domain.Transfers;
using Cohort.Runtime.Entities;
using Cohort.Runtime.Kafka;
using Confluent.Kafka;

namespace Cohort.Runtime.Transfers;

/// <summary>
/// Reads what reaches a transfer: <c>{"type":"transfer","requestId":"t-1","from","to","asset","amount"}</c> to
/// start one (its request id is its id), or an account's answer to one of its steps, recognised by the
/// correlation id <c>&lt;transferId&gt;:debit|credit|refund</c> the step was sent with.
/// </summary>
internal static class TransferCommandParser
{
    public static ParsedCommand<TransferCommand> Parse(Message<string?, byte[]> message, decimal maxAmount)
    {
        var correlationId = CohortHeaders.Get(message.Headers, CohortHeaders.CorrelationId);
        try
        {
            using var doc = JsonDocument.Parse(message.Value, new JsonDocumentOptions { MaxDepth = 8 });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return ParsedCommand<TransferCommand>.Reject("", "", "the command must be a JSON object");
            }
            if (correlationId is not null && root.TryGetProperty("ok", out var ok) && TransferSteps.TryParse(correlationId, out var transferId, out var step))
            {
                var accepted = ok.ValueKind == JsonValueKind.True;
                var code = accepted ? null : String(root, "code");
                return new ParsedCommand<TransferCommand>(transferId, correlationId, new StepAnswered(step, accepted, code),
                    SHA256.HashData(message.Value), null);
            }
            if (String(root, "type") != "transfer")
            {
                return ParsedCommand<TransferCommand>.Reject("", String(root, "requestId") ?? "", "type must be 'transfer'");
            }
            var amountIsString = !root.TryGetProperty("amount", out var amount) || amount.ValueKind == JsonValueKind.String;
            return Validate(String(root, "requestId") ?? "", String(root, "from"), String(root, "to"), String(root, "asset"),
                String(root, "amount"), amountIsString, maxAmount);
        }
        catch (JsonException e)
        {
            return ParsedCommand<TransferCommand>.Reject("", "", $"the command is not valid JSON: {e.Message}");
        }
    }

    public static ParsedCommand<TransferCommand> Validate(
        string requestId, string? from, string? to, string? asset, string? amountText, bool amountIsString, decimal maxAmount)
    {
        if (!Identifier.IsValid(requestId))
        {
            return ParsedCommand<TransferCommand>.Reject("", "", $"requestId is required: 1-{Identifier.MaxLength} characters of letters, digits and -_.:@");
        }
        if (!Identifier.IsValid(from) || !Identifier.IsValid(to))
        {
            return ParsedCommand<TransferCommand>.Reject(requestId, requestId, "from and to must be account ids");
        }
        if (from == to)
        {
            return ParsedCommand<TransferCommand>.Reject(requestId, requestId, "from and to must be different accounts");
        }
        if (!AssetCode.IsValid(asset))
        {
            return ParsedCommand<TransferCommand>.Reject(requestId, requestId, $"asset must be 1-{AssetCode.MaxLength} characters of A-Z and 0-9");
        }
        if (!amountIsString)
        {
            return ParsedCommand<TransferCommand>.Reject(requestId, requestId, "amount must be a decimal string such as \"10.50\", not a JSON number");
        }
        if (!Amount.TryParsePositive(amountText, maxAmount, out var amount, out var error))
        {
            return ParsedCommand<TransferCommand>.Reject(requestId, requestId, error);
        }
        var meaning = $"transfer\n{from}\n{to}\n{asset}\n{Amount.Format(Amount.Normalize(amount))}";
        return new ParsedCommand<TransferCommand>(requestId, requestId, new StartTransfer(new TransferTerms(from!, to!, asset!, amount)),
            SHA256.HashData(Encoding.UTF8.GetBytes(meaning)), null);
    }

    private static string? String(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
