using System.Text.Json;
using Cohort.Cluster.Persistence;

namespace Cohort.Cluster.Entities;

/// <summary>The JSON forms of what every entity type shares: refusals, replies, the stop message, stamps.</summary>
public static class EntityFormats
{
    /// <summary>The manifest of a refused command's journal record, for every entity type.</summary>
    public const string RefusedManifest = "refused.v1";

    public static void Register(MessageFormats formats) => formats
        .Add<Refused>(RefusedManifest, (w, r) =>
        {
            w.WriteStartObject();
            WriteStamp(w, r.Stamp);
            w.WriteString("code", r.Code);
            w.WriteString("message", r.Message);
            w.WriteEndObject();
        }, e => new Refused(ReadStamp(e), e.String("code"), e.String("message")))
        .Add<CommandRejected>("reply.rejected.v1", (w, r) =>
        {
            w.WriteStartObject();
            w.WriteString("requestId", r.RequestId);
            w.WriteString("code", r.Code);
            w.WriteString("message", r.Message);
            w.WriteEndObject();
        }, e => new CommandRejected(e.String("requestId"), e.String("code"), e.String("message")))
        .AddWireRecord<CommandFailed>("reply.failed.v1")
        .AddWireRecord<CommandUnavailable>("reply.unavailable.v1")
        .Add<StopEntity>("entity.stop.v1", (w, _) => { w.WriteStartObject(); w.WriteEndObject(); }, _ => StopEntity.Instance);

    /// <summary>The first properties of every journal record.</summary>
    public static void WriteStamp(Utf8JsonWriter w, Stamp stamp)
    {
        w.WriteString("requestId", stamp.RequestId);
        w.WriteString("hash", stamp.Hash.ToString());
        w.WriteString("at", stamp.At);
    }

    public static Stamp ReadStamp(JsonElement e) => new(e.String("requestId"), RequestHash.Parse(e.String("hash")), e.Time("at"));

    /// <summary>The request ids of a snapshot, each with its first answer.</summary>
    public static void WriteRequests(Utf8JsonWriter w, MessageFormats formats, IEnumerable<LoggedRequest> requests)
    {
        w.WriteStartArray("requests");
        foreach (var logged in requests)
        {
            w.WriteStartObject();
            WriteStamp(w, logged.Stamp);
            formats.WriteNested(w, "reply", logged.Reply);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public static LoggedRequest[] ReadRequests(JsonElement e, MessageFormats formats) =>
        e.GetProperty("requests").EnumerateArray()
            .Select(r => new LoggedRequest(ReadStamp(r), (CommandReply)formats.ReadNested(r.GetProperty("reply"))))
            .ToArray();
}
