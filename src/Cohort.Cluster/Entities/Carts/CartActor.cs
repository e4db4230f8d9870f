using Akka.Actor;
using Cohort.Cluster.Metrics;
using Cohort.Cluster.Persistence;
using Cohort.Domain;
using Cohort.Domain.Carts;

namespace Cohort.Cluster.Entities.Carts;

/// <summary>One account's cart, hosted on the node its shard lives on: the only writer of its lines.</summary>
public sealed class CartActor(string accountId, EntityOptions options, CohortMetrics metrics)
    : JournaledEntity<CartState, CartCommand, CartEvent, CartRecord>(CartRegion.TypeName, accountId, CartState.Empty(accountId), options, metrics)
{
    public static Props PropsFor(string accountId, EntityOptions options, CohortMetrics metrics) =>
        Props.Create(() => new CartActor(accountId, options, metrics));

    protected override void OnMessage(object message)
    {
        switch (message)
        {
            case CartCommandEnvelope command:
                Execute(command.RequestId, command.Hash, command.Command, Sender);
                break;
            case GetCart:
                Sender.Tell(CartView.Of(State));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    protected override Decision<CartEvent> Decide(CartState state, CartCommand command) => Cart.Decide(state, command);

    protected override CartState Evolve(CartState state, CartEvent @event) => Cart.Evolve(state, @event);

    protected override CartRecord Record(Stamp stamp, CartEvent @event, CartState after) => new(stamp, @event);

    protected override CommandAccepted Accept(Stamp stamp, CartRecord last, CartState after, long seqNr) =>
        new CartCommandAccepted(stamp.RequestId, seqNr, CartView.Of(after), (last.Event as CartCheckedOut)?.Orders);

    protected override ICohortMessage Snapshot(CartState state, LoggedRequest[] requests) => new CartSnapshot(state, requests);

    protected override (CartState State, IReadOnlyList<LoggedRequest> Requests) Restore(object snapshot) =>
        snapshot is CartSnapshot s
            ? (s.State, s.Requests)
            : throw new InvalidDataException($"{PersistenceId}: unexpected snapshot {snapshot.GetType().Name}");
}
