using System.Text.Json;
using Cohort.Cluster.Persistence;
using Cohort.Domain.Transfers;

namespace Cohort.Cluster.Entities.Transfers;

/// <summary>
/// The transfer's JSON forms. Journal records are stored under <c>transfer.&lt;event&gt;.v1</c>:
/// <c>{"requestId","hash","at","from","to","asset","amount"}</c>, plus <c>reason</c> for a refused credit or a rejection.
/// </summary>
public static class TransferFormats
{
    private static readonly string[] EventNames = ["started", "debitConfirmed", "completed", "creditRefused", "rejected"];

    public static string EventName(TransferEvent e) => e switch
    {
        TransferStarted => "started",
        TransferDebitConfirmed => "debitConfirmed",
        TransferCompleted => "completed",
        TransferCreditRefused => "creditRefused",
        TransferRejected => "rejected",
        _ => throw new ArgumentOutOfRangeException(nameof(e), e, "unknown transfer event"),
    };

    public static string RecordManifest(string eventName) => $"transfer.{eventName}.v1";

    public static void Register(MessageFormats formats) => formats
        .Add<TransferRecord>(r => RecordManifest(EventName(r.Event)), WriteRecord,
            EventNames.Select(name => (RecordManifest(name), (Func<JsonElement, TransferRecord>)(e => ReadRecord(name, e)))).ToArray())
        .Add<TransferSnapshot>("transfer.snapshot.v1", (w, s) =>
        {
            w.WriteStartObject();
            w.WriteString("transferId", s.State.TransferId);
            w.WriteString("status", s.State.Status.ToString());
            WriteTerms(w, s.State.Terms);
            if (s.State.Reason is not null)
            {
                w.WriteString("reason", s.State.Reason);
            }
            EntityFormats.WriteRequests(w, formats, s.Requests);
            w.WriteEndObject();
        }, e => new TransferSnapshot(
            new TransferState(e.String("transferId"), Enum.Parse<TransferStatus>(e.String("status")), ReadTerms(e), e.OptionalString("reason")),
            EntityFormats.ReadRequests(e, formats)))
        .Add<TransferAnswer>("transfer.answer.v1", (w, a) =>
        {
            w.WriteStartObject();
            w.WriteString("requestId", a.RequestId);
            w.WriteString("transferId", a.TransferId);
            WriteTerms(w, a.Terms);
            w.WriteString("status", a.Status);
            if (a.Reason is not null)
            {
                w.WriteString("reason", a.Reason);
            }
            w.WriteEndObject();
        }, e => new TransferAnswer(e.String("requestId"), e.String("transferId"), ReadTerms(e), e.String("status"), e.OptionalString("reason")))
        .Add<TransferCommandEnvelope>("transfer.command.v1", (w, c) =>
        {
            w.WriteStartObject();
            w.WriteString("transferId", c.TransferId);
            w.WriteString("hash", c.Hash.ToString());
            WriteTerms(w, c.Terms);
            w.WriteEndObject();
        }, e => new TransferCommandEnvelope(e.String("transferId"), RequestHash.Parse(e.String("hash")), ReadTerms(e)))
        .AddWireRecord<AwaitTransfer>("transfer.await.v1")
        .AddWireRecord<TransferNotFound>("transfer.notFound.v1");

    private static void WriteRecord(Utf8JsonWriter w, TransferRecord r)
    {
        w.WriteStartObject();
        EntityFormats.WriteStamp(w, r.Stamp);
        WriteTerms(w, r.Event.Terms);
        switch (r.Event)
        {
            case TransferCreditRefused refused:
                w.WriteString("reason", refused.Reason);
                break;
            case TransferRejected rejected:
                w.WriteString("reason", rejected.Reason);
                break;
        }
        w.WriteEndObject();
    }

    private static TransferRecord ReadRecord(string eventName, JsonElement e)
    {
        var terms = ReadTerms(e);
        TransferEvent @event = eventName switch
        {
            "started" => new TransferStarted(terms),
            "debitConfirmed" => new TransferDebitConfirmed(terms),
            "completed" => new TransferCompleted(terms),
            "creditRefused" => new TransferCreditRefused(terms, e.String("reason")),
            "rejected" => new TransferRejected(terms, e.String("reason")),
            _ => throw new InvalidDataException($"unknown transfer event '{eventName}'"),
        };
        return new TransferRecord(EntityFormats.ReadStamp(e), @event);
    }

    private static void WriteTerms(Utf8JsonWriter w, TransferTerms t)
    {
        w.WriteString("from", t.From);
        w.WriteString("to", t.To);
        w.WriteString("asset", t.Asset);
        w.WriteAmount("amount", t.Amount);
    }

    private static TransferTerms ReadTerms(JsonElement e) => new(e.String("from"), e.String("to"), e.String("asset"), e.Decimal("amount"));
}
