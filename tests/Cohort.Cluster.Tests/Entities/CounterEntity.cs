using System.Text.Json;
using Akka.Actor;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Hosting;
using Cohort.Cluster.Metrics;
using Cohort.Cluster.Persistence;
using Cohort.Domain;

namespace Cohort.Cluster.Tests.Entities;

// A test-only entity on the real JournaledEntity engine, with commands that make its Decide or its Evolve throw:
// the account's domain never throws on a command, so its failure path cannot be reached through it.

public sealed record CounterState(string Id, long Total);

public abstract record CounterCommand;

public sealed record Add(long Amount) : CounterCommand;

/// <summary>Decide throws on it: a bug in the domain.</summary>
public sealed record Explode : CounterCommand;

/// <summary>Decide accepts it with an event Evolve refuses: a broken invariant, caught before anything is written.</summary>
public sealed record AddNegative : CounterCommand;

public sealed record CounterAdded(long Amount);

public sealed record CounterRecord(Stamp Stamp, CounterAdded Event, long Total) : IEventRecord<CounterAdded>;

public sealed record CounterSnapshot(CounterState State, LoggedRequest[] Requests) : ICohortMessage;

public sealed record CounterAccepted(string RequestId, long SeqNr, long Total) : CommandAccepted(RequestId)
{
    public override void WriteBody(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("requestId", RequestId);
        w.WriteNumber("seqNr", SeqNr);
        w.WriteNumber("total", Total);
        w.WriteEndObject();
    }
}

/// <summary>Local only (never serialized): the hash is the command's text.</summary>
public sealed record CounterCommandEnvelope(string RequestId, CounterCommand Command)
{
    public RequestHash Hash => RequestHash.Of(Command.ToString());
}

public sealed record GetCounter
{
    public static readonly GetCounter Instance = new();
}

public sealed class CounterEntity(string id, EntityOptions options, CohortMetrics metrics)
    : JournaledEntity<CounterState, CounterCommand, CounterAdded, CounterRecord>("counter", id, new CounterState(id, 0), options, metrics)
{
    public static Props PropsFor(string id, EntityOptions options, CohortMetrics metrics) =>
        Props.Create(() => new CounterEntity(id, options, metrics));

    /// <summary>The node's formats plus the counter's, so its journal goes through the real serializer.</summary>
    public static MessageFormats Formats()
    {
        var formats = CohortHosting.Formats(CohortHosting.EntityModules);
        formats
            .Add<CounterRecord>("counter.added.v1", (w, r) =>
            {
                w.WriteStartObject();
                EntityFormats.WriteStamp(w, r.Stamp);
                w.WriteNumber("amount", r.Event.Amount);
                w.WriteNumber("total", r.Total);
                w.WriteEndObject();
            }, e => new CounterRecord(EntityFormats.ReadStamp(e), new CounterAdded(e.Long("amount")), e.Long("total")))
            .Add<CounterAccepted>("counter.accepted.v1", (w, a) => a.WriteBody(w),
                e => new CounterAccepted(e.String("requestId"), e.Long("seqNr"), e.Long("total")))
            .Add<CounterSnapshot>("counter.snapshot.v1", (w, s) =>
            {
                w.WriteStartObject();
                w.WriteString("id", s.State.Id);
                w.WriteNumber("total", s.State.Total);
                EntityFormats.WriteRequests(w, formats, s.Requests);
                w.WriteEndObject();
            }, e => new CounterSnapshot(new CounterState(e.String("id"), e.Long("total")), EntityFormats.ReadRequests(e, formats)));
        return formats;
    }

    protected override void OnMessage(object message)
    {
        switch (message)
        {
            case CounterCommandEnvelope c:
                Execute(c.RequestId, c.Hash, c.Command, Sender);
                break;
            case GetCounter:
                Sender.Tell(State);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    protected override Decision<CounterAdded> Decide(CounterState state, CounterCommand command) => command switch
    {
        Add a => Decision<CounterAdded>.Accept(new CounterAdded(a.Amount)),
        AddNegative => Decision<CounterAdded>.Accept(new CounterAdded(-1)),
        Explode => throw new InvalidOperationException("poison command"),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, null),
    };

    protected override CounterState Evolve(CounterState state, CounterAdded @event) =>
        @event.Amount > 0
            ? state with { Total = state.Total + @event.Amount }
            : throw new InvariantViolationException($"counter {state.Id}: cannot add {@event.Amount}");

    protected override CounterRecord Record(Stamp stamp, CounterAdded @event, CounterState after) => new(stamp, @event, after.Total);

    protected override CommandAccepted Accept(Stamp stamp, CounterRecord last, CounterState after, long seqNr) =>
        new CounterAccepted(stamp.RequestId, seqNr, after.Total);

    protected override ICohortMessage Snapshot(CounterState state, LoggedRequest[] requests) => new CounterSnapshot(state, requests);

    protected override (CounterState State, IReadOnlyList<LoggedRequest> Requests) Restore(object snapshot) =>
        snapshot is CounterSnapshot s ? (s.State, s.Requests) : throw new InvalidDataException($"unexpected snapshot {snapshot.GetType().Name}");
}
