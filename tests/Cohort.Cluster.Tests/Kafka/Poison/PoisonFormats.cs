using Cohort.Cluster.Entities;
using Cohort.Cluster.Persistence;

namespace Cohort.Cluster.Tests.Kafka.Poison;

/// <summary>The poison entity's JSON forms: the journal holds <c>poison.appended.v1</c> records.</summary>
public static class PoisonFormats
{
    public static void Register(MessageFormats formats) => formats
        .Add<PoisonRecord>("poison.appended.v1", (w, r) =>
        {
            w.WriteStartObject();
            EntityFormats.WriteStamp(w, r.Stamp);
            w.WriteString("value", r.Event.Value);
            w.WriteEndObject();
        }, e => new PoisonRecord(EntityFormats.ReadStamp(e), new PoisonAppended(e.String("value"))))
        .Add<PoisonSnapshot>("poison.snapshot.v1", (w, s) =>
        {
            w.WriteStartObject();
            w.WriteString("entityId", s.State.EntityId);
            w.WriteStartArray("values");
            foreach (var value in s.State.Values)
            {
                w.WriteStringValue(value);
            }
            w.WriteEndArray();
            EntityFormats.WriteRequests(w, formats, s.Requests);
            w.WriteEndObject();
        }, e => new PoisonSnapshot(
            new PoisonState(e.String("entityId"), [.. e.GetProperty("values").EnumerateArray().Select(v => v.GetString()!)]),
            EntityFormats.ReadRequests(e, formats)))
        .Add<PoisonAccepted>("poison.accepted.v1", (w, a) => a.WriteBody(w),
            e => new PoisonAccepted(e.String("requestId"), e.String("entityId"), e.Long("seqNr"), e.String("value")))
        .AddWireRecord<PoisonCommandEnvelope>("poison.command.v1");
}
