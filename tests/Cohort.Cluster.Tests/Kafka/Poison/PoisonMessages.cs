using System.Collections.Immutable;
using System.Text.Json;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Persistence;

namespace Cohort.Cluster.Tests.Kafka.Poison;

/// <summary>The poison shard region, as the actor registry knows it.</summary>
public sealed class PoisonRegion
{
    public const string TypeName = "poison";
}

/// <summary><c>append</c> adds its value; <c>explode</c> makes the entity throw.</summary>
public sealed record PoisonCommand(string Op, string Value)
{
    public const string Append = "append";
    public const string Explode = "explode";
}

public sealed record PoisonAppended(string Value);

/// <summary>The values appended so far, in order.</summary>
public sealed record PoisonState(string EntityId, ImmutableList<string> Values)
{
    public static PoisonState Empty(string entityId) => new(entityId, []);
}

public sealed record PoisonRecord(Stamp Stamp, PoisonAppended Event) : IEventRecord<PoisonAppended>;

public sealed record PoisonCommandEnvelope(string EntityId, string RequestId, RequestHash Hash, PoisonCommand Command)
    : IShardedMessage, ICohortMessage;

public sealed record PoisonAccepted(string RequestId, string EntityId, long SeqNr, string Value) : CommandAccepted(RequestId)
{
    public override void WriteBody(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("requestId", RequestId);
        w.WriteString("entityId", EntityId);
        w.WriteNumber("seqNr", SeqNr);
        w.WriteString("value", Value);
        w.WriteEndObject();
    }
}

public sealed record PoisonSnapshot(PoisonState State, LoggedRequest[] Requests) : ICohortMessage;
