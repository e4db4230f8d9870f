using System.Text.Json;
using Cohort.Cluster.Persistence;
using Cohort.Domain;
using Cohort.Domain.Transfers;

namespace Cohort.Cluster.Entities.Transfers;

/// <summary>Reads <c>{"type":"transfer","requestId":"t-1","from","to","asset","amount"}</c>; its request id is its id.</summary>
public static class TransferCommandParser
{
    public static Parsed<TransferCommandEnvelope> Parse(ReadOnlySpan<byte> json, decimal maxAmount) => CommandJson.Parse(json, root =>
    {
        if (String(root, "type") != "transfer")
        {
            return Parsed<TransferCommandEnvelope>.Invalid("type must be 'transfer'");
        }
        var amountIsString = !root.TryGetProperty("amount", out var amount) || amount.ValueKind is JsonValueKind.String or JsonValueKind.Null;
        return Validate(String(root, "requestId"), String(root, "from"), String(root, "to"), String(root, "asset"),
            String(root, "amount"), amountIsString, maxAmount);
    });

    public static Parsed<TransferCommandEnvelope> Validate(
        string? requestId, string? from, string? to, string? asset, string? amountText, bool amountIsString, decimal maxAmount)
    {
        if (!Identifier.IsValid(requestId))
        {
            return Parsed<TransferCommandEnvelope>.Invalid($"requestId is required: 1-{Identifier.MaxLength} characters of letters, digits and -_.:@");
        }
        if (!Identifier.IsValid(from) || !Identifier.IsValid(to))
        {
            return Parsed<TransferCommandEnvelope>.Invalid("from and to must be account ids");
        }
        if (from == to)
        {
            return Parsed<TransferCommandEnvelope>.Invalid("from and to must be different accounts");
        }
        if (!AssetCode.IsValid(asset))
        {
            return Parsed<TransferCommandEnvelope>.Invalid($"asset must be 1-{AssetCode.MaxLength} characters of A-Z and 0-9");
        }
        if (!amountIsString)
        {
            return Parsed<TransferCommandEnvelope>.Invalid("amount must be a decimal string such as \"10.50\", not a JSON number");
        }
        if (!Amount.TryParsePositive(amountText, maxAmount, out var amount, out var error))
        {
            return Parsed<TransferCommandEnvelope>.Invalid(error);
        }
        return Parsed<TransferCommandEnvelope>.Valid(Envelope(requestId!, new TransferTerms(from!, to!, asset!, amount)));
    }

    public static TransferCommandEnvelope Envelope(string transferId, TransferTerms t) =>
        new(transferId, RequestHash.Of($"transfer\n{t.From}\n{t.To}\n{t.Asset}\n{Amount.Format(Amount.Normalize(t.Amount))}"), t);

    private static string? String(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
