using System.Buffers;
using System.Text.Json;
using Akka.Persistence.Query;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Kafka;
using Cohort.Domain;
using Cohort.Domain.Accounts;

namespace Cohort.Cluster.Persistence.Projections;

/// <summary>
/// Publishes every account event on <c>cohort.events.account</c>, keyed by account, in journal order (so in order per
/// account): <c>type</c>, <c>accountId</c>, <c>seqNr</c>, <c>requestId</c>, <c>asset</c>, <c>amount</c>,
/// <c>deltaAvailable</c>, <c>deltaFrozen</c>, <c>available</c>, <c>frozen</c>, <c>at</c> (and <c>transferId</c>,
/// <c>counterparty</c> for transfer legs). The offset moves once Kafka has the batch: at least once, so consumers
/// deduplicate by (<c>accountId</c>, <c>seqNr</c>).
/// </summary>
public sealed class AccountEventsToKafka(MessageProducer producer, ProjectionOffsets offsets) : IProjection
{
    public string Name => "account-events";

    public Task<long> ReadOffsetAsync(CancellationToken ct) => offsets.ReadAsync(Name, ct);

    public async Task HandleAsync(IReadOnlyList<EventEnvelope> batch, long offset, CancellationToken ct)
    {
        var topic = CohortTopics.Events(AccountRegion.TypeName);
        var sent = new List<Task>();
        foreach (var e in batch)
        {
            if (e.Event is AccountRecord record && PersistenceIds.TrySplit(e.PersistenceId, out _, out var accountId))
            {
                sent.Add(producer.PublishEventAsync(topic, accountId, PublicEvent(accountId, e.SequenceNr, record)));
            }
        }
        await Task.WhenAll(sent);
        await offsets.StoreAsync(Name, offset, ct);
    }

    /// <summary>The event as other services read it: the change and its deltas, so summing them rebuilds every balance.</summary>
    public static byte[] PublicEvent(string accountId, long seqNr, AccountRecord record)
    {
        var e = record.Event;
        var delta = AccountDelta.Of(e);
        var buffer = new ArrayBufferWriter<byte>(320);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", AccountFormats.EventName(e));
            w.WriteString("accountId", accountId);
            w.WriteNumber("seqNr", seqNr);
            w.WriteString("requestId", record.Stamp.RequestId);
            w.WriteString("asset", e.Asset);
            w.WriteString("amount", Amount.Format(e.Amount));
            w.WriteString("deltaAvailable", Amount.Format(delta.Available));
            w.WriteString("deltaFrozen", Amount.Format(delta.Frozen));
            w.WriteString("available", Amount.Format(record.After.Available));
            w.WriteString("frozen", Amount.Format(record.After.Frozen));
            if (e is ITransferLeg leg)
            {
                w.WriteString("transferId", leg.TransferId);
                w.WriteString("counterparty", leg.Counterparty);
            }
            w.WriteString("at", record.Stamp.At);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
