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
        TransferDebited => "transferDebited",
        TransferCredited => "transferCredited",
        TransferRefunded => "transferRefunded",
        _ => throw new ArgumentOutOfRangeException(nameof(e), e, "unknown account event"),
    };

    public static string SerializeEvent(AccountEvent e) => e is ITransferLeg leg
        ? JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["asset"] = e.Asset, ["amount"] = Amount.Format(e.Amount), ["transferId"] = leg.TransferId, ["counterparty"] = leg.Counterparty,
        })
        : $"{{\"asset\":\"{e.Asset}\",\"amount\":\"{Amount.Format(e.Amount)}\"}}";

    /// <summary>
    /// The event as other services read it on <c>cohort.events.account</c>: the change and its deltas, so a
    /// consumer that reads every event rebuilds every balance; <c>seqNr</c> orders and deduplicates them.
    /// </summary>
    public static byte[] PublicEvent(Entities.JournaledEvent<AccountEvent> journaled)
    {
        var e = journaled.Event;
        var delta = AccountDelta.Of(e);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("type", EventType(e));
            w.WriteString("accountId", journaled.EntityId);
            w.WriteNumber("seqNr", journaled.SeqNr);
            w.WriteString("requestId", journaled.RequestId);
            w.WriteString("asset", e.Asset);
            w.WriteString("amount", Amount.Format(e.Amount));
            w.WriteString("deltaAvailable", Amount.Format(delta.Available));
            w.WriteString("deltaFrozen", Amount.Format(delta.Frozen));
            if (e is ITransferLeg leg)
            {
                w.WriteString("transferId", leg.TransferId);
                w.WriteString("counterparty", leg.Counterparty);
            }
            w.WriteString("at", journaled.At);
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    public static AccountEvent DeserializeEvent(string type, string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var asset = root.GetProperty("asset").GetString()!;
        var amount = ParseDecimal(root.GetProperty("amount").GetString()!);
        string Field(string name) => root.GetProperty(name).GetString()!;
        return type switch
        {
            "transferDebited" => new TransferDebited(asset, amount, Field("transferId"), Field("counterparty")),
            "transferCredited" => new TransferCredited(asset, amount, Field("transferId"), Field("counterparty")),
            "transferRefunded" => new TransferRefunded(asset, amount, Field("transferId"), Field("counterparty")),
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
