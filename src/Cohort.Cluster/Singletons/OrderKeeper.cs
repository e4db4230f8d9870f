using Akka.Actor;
using Akka.Event;
using Cohort.Cluster.Entities.Orders;
using Cohort.Cluster.Hosting;
using Cohort.Cluster.Persistence.Projections;

namespace Cohort.Cluster.Singletons;

/// <summary>
/// The singleton that keeps orders moving when no node holds them: every <see cref="OrderOptions.KeeperInterval"/>
/// it reads, from the orders table, the orders awaiting payment past their deadline and those stuck on a step
/// (their node died, or they passivated), and wakes each one with <see cref="CheckOrder"/>. Waking is all it does:
/// the order itself decides, from its journal, whether to expire and which step to send again.
/// </summary>
public sealed class OrderKeeper : ReceiveActor, IWithTimers
{
    public const string Name = "order-keeper";

    /// <summary>Orders woken per round at most: a backlog drains over a few rounds instead of flooding the shards.</summary>
    private const int RoundLimit = 2000;

    private readonly OrderBookQuery orders;
    private readonly IActorRef region;
    private readonly OrderOptions options;
    private readonly LocalSingletons singletons;
    private readonly ILoggingAdapter log = Context.GetLogger();
    private bool looking;

    public OrderKeeper(OrderBookQuery orders, IActorRef region, OrderOptions options, LocalSingletons singletons)
    {
        this.orders = orders;
        this.region = region;
        this.options = options;
        this.singletons = singletons;
        Receive<Tick>(_ => Look());
        Receive<Found>(found =>
        {
            looking = false;
            foreach (var orderId in found.OrderIds)
            {
                region.Tell(new CheckOrder(orderId), ActorRefs.Nobody);
            }
            if (found.OrderIds.Count > 0)
            {
                log.Info("Woke {0} orders past their deadline or stuck on a step", found.OrderIds.Count);
            }
        });
        Receive<Status.Failure>(failed =>
        {
            looking = false;
            log.Warning("Could not read the orders due: {0}; trying again in {1}", failed.Cause.Message, options.KeeperInterval);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props PropsFor(OrderBookQuery orders, IActorRef region, OrderOptions options, LocalSingletons singletons) =>
        Props.Create(() => new OrderKeeper(orders, region, options, singletons));

    protected override void PreStart()
    {
        singletons.Started(Name);
        Timers.StartPeriodicTimer("tick", Tick.Instance, options.KeeperInterval);
    }

    protected override void PostStop() => singletons.Stopped(Name);

    private void Look()
    {
        if (looking)
        {
            return;
        }
        looking = true;
        orders.DueAsync(options.StepMargin, RoundLimit, CancellationToken.None)
            .PipeTo(Self, success: ids => new Found(ids));
    }

    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }

    private sealed record Found(IReadOnlyList<string> OrderIds);
}
