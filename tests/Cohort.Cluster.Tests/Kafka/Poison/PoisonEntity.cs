using Akka.Actor;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Metrics;
using Cohort.Cluster.Persistence;
using Cohort.Domain;

namespace Cohort.Cluster.Tests.Kafka.Poison;

/// <summary>
/// A journaled entity that appends values, and throws from Decide on <c>explode</c>: a bug that only one command
/// triggers, as a broken invariant would be in a real entity.
/// </summary>
public sealed class PoisonEntity(string entityId, EntityOptions options, CohortMetrics metrics)
    : JournaledEntity<PoisonState, PoisonCommand, PoisonAppended, PoisonRecord>(
        PoisonRegion.TypeName, entityId, PoisonState.Empty(entityId), options, metrics)
{
    public static Props PropsFor(string entityId, EntityOptions options, CohortMetrics metrics) =>
        Props.Create(() => new PoisonEntity(entityId, options, metrics));

    /// <summary>What the entity throws on <c>explode</c>, with the command's value.</summary>
    public static string FailureOf(string value) => $"poisoned by {value}";

    protected override void OnMessage(object message)
    {
        switch (message)
        {
            case PoisonCommandEnvelope command:
                Execute(command.RequestId, command.Hash, command.Command, Sender);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    protected override Decision<PoisonAppended> Decide(PoisonState state, PoisonCommand command) =>
        command.Op == PoisonCommand.Explode
            ? throw new InvalidOperationException(FailureOf(command.Value))
            : Decision<PoisonAppended>.Accept(new PoisonAppended(command.Value));

    protected override PoisonState Evolve(PoisonState state, PoisonAppended @event) => state with { Values = state.Values.Add(@event.Value) };

    protected override PoisonRecord Record(Stamp stamp, PoisonAppended @event, PoisonState after) => new(stamp, @event);

    protected override CommandAccepted Accept(Stamp stamp, PoisonRecord last, PoisonState after, long seqNr) =>
        new PoisonAccepted(stamp.RequestId, EntityId, seqNr, last.Event.Value);

    protected override ICohortMessage Snapshot(PoisonState state, LoggedRequest[] requests) => new PoisonSnapshot(state, requests);

    protected override (PoisonState State, IReadOnlyList<LoggedRequest> Requests) Restore(object snapshot) =>
        snapshot is PoisonSnapshot s
            ? (s.State, s.Requests)
            : throw new InvalidDataException($"{PersistenceId}: unexpected snapshot {snapshot.GetType().Name}");
}
