using System.Globalization;
using System.Text.Json;
using Cohort.Domain;
using Cohort.Domain.Accounts;

namespace Cohort.Runtime.Accounts;

/// <summary>The journal and snapshot forms of the account entity. Amounts are decimal strings, as everywhere.</summary>
internal static class AccountJson
{
    public static string EventType(AccountEvent e) => e switch
    {
        Deposited => "deposited",
        Withdrawn => "withdrawn",
        Frozen => "frozen",
        Unfrozen => "unfrozen",
        Settled => "settled",
        _ => throw new ArgumentOutOfRangeException(nameof(e), e, "unknown account event"),
    };

    public static string SerializeEvent(AccountEvent e) =>
        $"{{\"asset\":\"{e.Asset}\",\"amount\":\"{Amount.Format(e.Amount)}\"}}";

    public static AccountEvent DeserializeEvent(string type, string json)
    {
        using var doc = JsonDocument.Parse(json);
        var asset = doc.RootElement.GetProperty("asset").GetString()!;
        var amount = ParseDecimal(doc.RootElement.GetProperty("amount").GetString()!);
        return type switch
        {
            "deposited" => new Deposited(asset, amount),
            "withdrawn" => new Withdrawn(asset, amount),
            "frozen" => new Frozen(asset, amount),
            "unfrozen" => new Unfrozen(asset, amount),
            "settled" => new Settled(asset, amount),
            _ => throw new InvalidDataException($"unknown account event type '{type}' in the journal"),
        };
    }

    public static string SerializeState(AccountState state)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteStartObject("balances");
            foreach (var (asset, b) in state.Balances)
            {
                w.WriteStartObject(asset);
                w.WriteString("available", Amount.Format(b.Available));
                w.WriteString("frozen", Amount.Format(b.Frozen));
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    public static AccountState DeserializeState(string accountId, string json)
    {
        using var doc = JsonDocument.Parse(json);
        var state = AccountState.Empty(accountId);
        foreach (var asset in doc.RootElement.GetProperty("balances").EnumerateObject())
        {
            state = state.With(asset.Name, new AssetBalance(
                ParseDecimal(asset.Value.GetProperty("available").GetString()!),
                ParseDecimal(asset.Value.GetProperty("frozen").GetString()!)));
        }
        return state;
    }

    private static decimal ParseDecimal(string text) =>
        decimal.Parse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
}
