using Akka.Actor;
using Cohort.Cluster.Metrics;
using Cohort.Cluster.Persistence;
using Cohort.Domain;
using Cohort.Domain.Stock;

namespace Cohort.Cluster.Entities.Stock;

/// <summary>
/// One product, hosted on the node its shard lives on: the only writer of its units. It tells
/// <paramref name="soldOutBoard"/> (its node's <see cref="Cohort.Cluster.FlashSales.SoldOutReplica"/>) whenever its
/// durable state turns sold out or available again.
/// </summary>
public sealed class StockActor(string sku, EntityOptions options, CohortMetrics metrics, IActorRef soldOutBoard)
    : JournaledEntity<StockState, StockCommand, StockEvent, StockRecord>(StockRegion.TypeName, sku, StockState.Empty(sku), options, metrics)
{
    private readonly StockAvailability availability = new();

    public static Props PropsFor(string sku, EntityOptions options, CohortMetrics metrics, IActorRef soldOutBoard) =>
        Props.Create(() => new StockActor(sku, options, metrics, soldOutBoard));

    protected override void OnDurable()
    {
        if (availability.Observe(State, LastSequenceNr) is { } change)
        {
            soldOutBoard.Tell(change);
        }
    }

    protected override void OnMessage(object message)
    {
        switch (message)
        {
            case StockCommandEnvelope command:
                Execute(command.RequestId, command.Hash, command.Command, Sender);
                break;
            case GetStock:
                Sender.Tell(StockView.Of(State));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    protected override Decision<StockEvent> Decide(StockState state, StockCommand command) => Product.Decide(state, command);

    protected override StockState Evolve(StockState state, StockEvent @event) => Product.Evolve(state, @event);

    protected override StockRecord Record(Stamp stamp, StockEvent @event, StockState after) => new(stamp, @event, StockUnits.Of(after));

    protected override CommandAccepted Accept(Stamp stamp, StockRecord last, StockState after, long seqNr) =>
        new StockCommandAccepted(stamp.RequestId, seqNr, StockView.Of(after));

    protected override ICohortMessage Snapshot(StockState state, LoggedRequest[] requests) => new StockSnapshot(state, requests);

    protected override (StockState State, IReadOnlyList<LoggedRequest> Requests) Restore(object snapshot) =>
        snapshot is StockSnapshot s
            ? (Restored(s.State), s.Requests)
            : throw new InvalidDataException($"{PersistenceId}: unexpected snapshot {snapshot.GetType().Name}");

    private static StockState Restored(StockState state)
    {
        Product.AssertReservationsAddUp(state);
        return state;
    }
}
