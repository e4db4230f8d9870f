using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;

namespace Cohort.Cluster.FlashSales;

/// <summary>
/// One per node, started with the ActorSystem: writes what the node's stock actors publish into the replicated
/// <see cref="SoldOutData"/>, and keeps the node's <see cref="SoldOutBoard"/> equal to that data as the replicator
/// reports its changes, local or gossiped.
/// </summary>
/// <remarks>
/// "Sold out" is written locally and spreads by gossip: a purchase that slips through meanwhile is refused by the
/// stock actor anyway. "Available" is written to a majority first, because a stale "sold out" would refuse
/// purchases the actor would accept, and a write only this node held would be lost with it. Should the majority
/// not answer in time, the local write stands and gossip spreads it; the stock actor publishes again whenever it
/// recovers.
/// </remarks>
public sealed class SoldOutReplica : ReceiveActor
{
    private static readonly TimeSpan MajorityTimeout = TimeSpan.FromSeconds(3);

    private readonly SoldOutBoard board;
    private readonly IActorRef replicator;
    private readonly UniqueAddress self;
    private readonly ILoggingAdapter log = Context.GetLogger();

    public SoldOutReplica(SoldOutBoard board)
    {
        this.board = board;
        replicator = DistributedData.Get(Context.System).Replicator;
        self = Akka.Cluster.Cluster.Get(Context.System).SelfUniqueAddress;

        Receive<AvailabilityChanged>(Publish);
        Receive<Changed>(changed => board.Replace(SoldOutData.SoldOut(changed.Get(SoldOutData.Key))));
        Receive<UpdateSuccess>(_ => { });
        Receive<UpdateTimeout>(timeout => log.Warning(
            "No majority confirmed {0} in time; it is written on this node and spreads by gossip", timeout.Request));
        Receive<ModifyFailure>(failure => log.Error(failure.Cause, "Publishing {0} failed", failure.Request));
    }

    public static Props PropsFor(SoldOutBoard board) => Props.Create(() => new SoldOutReplica(board));

    protected override void PreStart() => replicator.Tell(Dsl.Subscribe(SoldOutData.Key, Self));

    private void Publish(AvailabilityChanged change)
    {
        IWriteConsistency consistency = change.SoldOut ? WriteLocal.Instance : new WriteMajority(MajorityTimeout);
        replicator.Tell(Dsl.Update(SoldOutData.Key, LWWDictionary<string, long>.Empty, consistency, change,
            data => SoldOutData.With(data, self, change)));
    }
}
