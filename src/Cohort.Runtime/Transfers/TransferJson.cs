using System.Globalization;
using System.Text.Json;
using Cohort.Domain;
using Cohort.Domain.Transfers;

namespace Cohort.Runtime.Transfers;

/// <summary>The journal and snapshot forms of the transfer process.</summary>
internal static class TransferJson
{
    public static string EventType(TransferEvent e) => e switch
    {
        TransferStarted => "started",
        TransferDebitConfirmed => "debitConfirmed",
        TransferCompleted => "completed",
        TransferCreditRefused => "creditRefused",
        TransferRejected => "rejected",
        _ => throw new ArgumentOutOfRangeException(nameof(e), e, "unknown transfer event"),
    };

    public static string SerializeEvent(TransferEvent e)
    {
        var fields = Terms(e.Terms);
        if (e is TransferCreditRefused refused)
        {
            fields["reason"] = refused.Reason;
        }
        if (e is TransferRejected rejected)
        {
            fields["reason"] = rejected.Reason;
        }
        return JsonSerializer.Serialize(fields);
    }

    public static TransferEvent DeserializeEvent(string type, string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var terms = ReadTerms(root);
        string Reason() => root.GetProperty("reason").GetString()!;
        return type switch
        {
            "started" => new TransferStarted(terms),
            "debitConfirmed" => new TransferDebitConfirmed(terms),
            "completed" => new TransferCompleted(terms),
            "creditRefused" => new TransferCreditRefused(terms, Reason()),
            "rejected" => new TransferRejected(terms, Reason()),
            _ => throw new InvalidDataException($"unknown transfer event type '{type}' in the journal"),
        };
    }

    public static string SerializeState(TransferState state)
    {
        var fields = Terms(state.Terms);
        fields["status"] = state.Status.ToString();
        if (state.Reason is not null)
        {
            fields["reason"] = state.Reason;
        }
        return JsonSerializer.Serialize(fields);
    }

    public static TransferState DeserializeState(string transferId, string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        return new TransferState(transferId, Enum.Parse<TransferStatus>(root.GetProperty("status").GetString()!), ReadTerms(root),
            root.TryGetProperty("reason", out var reason) ? reason.GetString() : null);
    }

    public static string Status(TransferStatus status) => status switch
    {
        TransferStatus.Completed => "completed",
        TransferStatus.Rejected => "rejected",
        _ => "pending",
    };

    private static Dictionary<string, string> Terms(TransferTerms t) => new()
    {
        ["from"] = t.From, ["to"] = t.To, ["asset"] = t.Asset, ["amount"] = Amount.Format(t.Amount),
    };

    private static TransferTerms ReadTerms(JsonElement root) => new(
        root.GetProperty("from").GetString()!,
        root.GetProperty("to").GetString()!,
        root.GetProperty("asset").GetString()!,
        decimal.Parse(root.GetProperty("amount").GetString()!, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture));
}
