using Akka.Actor;
using Akka.Event;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Entities.Stock;
using Cohort.Cluster.Metrics;
using Cohort.Cluster.Persistence;
using Cohort.Domain;
using Cohort.Domain.Accounts;
using Cohort.Domain.Orders;
using Cohort.Domain.Stock;

namespace Cohort.Cluster.Entities.Orders;

/// <summary>
/// The order process. Each step is a stock or account command with a deterministic request id (see
/// <see cref="OrderSteps"/>), sent again every <see cref="OrderOptions.StepRetry"/> until its answer is journaled, and
/// again after any recovery: stock and account apply it once, so units and money never move twice nor without their
/// order. While awaiting payment a timer expires the order at its deadline; when no node holds the order (its node
/// died, or it passivated) the order keeper wakes it, so the deadline holds without any request.
/// </summary>
public sealed class OrderActor : JournaledEntity<OrderState, OrderCommand, OrderEvent, OrderRecord>, IWithTimers
{
    private const string StepTimer = "step";
    private const string DeadlineTimer = "deadline";

    private readonly IActorRef stock;
    private readonly IActorRef accounts;
    private readonly OrderOptions orderOptions;
    private readonly List<Waiter> waiters = [];
    private readonly List<(object Message, IActorRef Sender)> deferred = [];
    private (OrderStatus Status, int Attempt)? sentFor;

    public OrderActor(string orderId, IActorRef stock, IActorRef accounts, OrderOptions orderOptions, EntityOptions options, CohortMetrics metrics)
        : base(OrderRegion.TypeName, orderId, OrderState.New(orderId), options, metrics)
    {
        this.stock = stock;
        this.accounts = accounts;
        this.orderOptions = orderOptions;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props PropsFor(string orderId, IActorRef stock, IActorRef accounts, OrderOptions orderOptions, EntityOptions options, CohortMetrics metrics) =>
        Props.Create(() => new OrderActor(orderId, stock, accounts, orderOptions, options, metrics));

    protected override void OnMessage(object message)
    {
        switch (message)
        {
            case OrderCommandEnvelope place:
                Execute(place.RequestId, place.Hash, place.Command, Sender);
                break;
            // The buyer's requests are decided against the durable state, so they wait for a write in flight.
            case PayOrderRequest or CancelOrderRequest or AwaitReservation when IsWriting:
                deferred.Add((message, Sender));
                break;
            case PayOrderRequest pay:
                Request(pay.RequestId, new PayOrder(), WaitFor.Payment, OrderSteps.Pay(EntityId, State.PaymentAttempts + 1), Sender);
                break;
            case CancelOrderRequest cancel:
                Request(cancel.RequestId, new CancelOrder(), WaitFor.Close, OrderSteps.Cancel(EntityId), Sender);
                break;
            case AwaitReservation await:
                waiters.Add(new Waiter(Sender, await.RequestId, WaitFor.Reservation));
                AnswerWaiters();
                break;
            case GetOrder:
                Sender.Tell(OrderView.Of(State));
                break;
            case CheckOrder or OrderTimer { Deadline: true }:
                ExpireIfDue();
                break;
            case OrderTimer:
                SendStep(force: true);
                break;
            case CommandReply answer when OrderSteps.TryParse(answer.RequestId, out var orderId, out var step, out var attempt) && orderId == EntityId:
                OnStepAnswered(answer, step, attempt);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>
    /// A pay or cancel: refused at once when the order does not allow it; otherwise answered when the order gets
    /// where <paramref name="waitFor"/> says, journaling the change first if the request makes one.
    /// </summary>
    private void Request(string requestId, OrderCommand command, WaitFor waitFor, string changeId, IActorRef replyTo)
    {
        var decision = Order.Decide(State, command);
        if (decision.Rejection is { } refused)
        {
            replyTo.Tell(new CommandRejected(requestId, refused.Code, refused.Message));
            return;
        }
        waiters.Add(new Waiter(replyTo, requestId, waitFor));
        if (decision.Events.Count > 0)
        {
            Execute(changeId, RequestHash.Of(changeId), command, ActorRefs.Nobody);
        }
        else
        {
            AnswerWaiters();
        }
    }

    /// <summary>
    /// A stock's or account's answer to a step. Answers that say nothing final (the entity is moving, or failed) are
    /// dropped: the timer sends the step again.
    /// </summary>
    private void OnStepAnswered(CommandReply answer, OrderStep step, int attempt)
    {
        var answered = answer switch
        {
            StockCommandAccepted s => new StepAnswered(step, attempt, true, null, s.Product.Price, s.Product.Asset),
            CommandAccepted => new StepAnswered(step, attempt, true, null),
            CommandRejected r => new StepAnswered(step, attempt, false, r.Code),
            _ => null,
        };
        if (answered is null)
        {
            Logger.Warning("{0}: step {1} not answered yet ({2}); sending it again in {3}", PersistenceId, answer.RequestId, answer, orderOptions.StepRetry);
            return;
        }
        Execute(answer.RequestId, RequestHash.Of($"{step}\n{attempt}\n{answered.Accepted}\n{answered.Code}"), answered, ActorRefs.Nobody);
    }

    private void ExpireIfDue()
    {
        var now = DateTime.UtcNow;
        if (!IsWriting && State.Status == OrderStatus.AwaitingPayment && now >= State.Deadline)
        {
            Logger.Info("{0}: not paid by its deadline {1:O}; releasing its {2} units of {3}", PersistenceId, State.Deadline, State.Terms.Quantity, State.Terms.Sku);
            var id = OrderSteps.Expire(EntityId);
            Execute(id, RequestHash.Of(id), new ExpireOrder(now), ActorRefs.Nobody);
        }
    }

    protected override void OnDurable()
    {
        if (State.Status == OrderStatus.Failed)
        {
            Logger.Warning("{0} failed: {1}", PersistenceId, State.Reason);
        }
        SendStep(force: false);
        if (State.Status == OrderStatus.AwaitingPayment)
        {
            var left = State.Deadline - DateTime.UtcNow;
            Timers.StartSingleTimer(DeadlineTimer, OrderTimer.Due, left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }
        else
        {
            Timers.Cancel(DeadlineTimer);
        }
        AnswerWaiters();
        while (!IsWriting && deferred.Count > 0)
        {
            var (message, sender) = deferred[0];
            deferred.RemoveAt(0);
            Self.Tell(message, sender);
        }
    }

    /// <summary>Sends the step the durable state waits on, and keeps resending it until the state moves on.</summary>
    private void SendStep(bool force)
    {
        if (State.PendingStep is not { } step)
        {
            Timers.Cancel(StepTimer);
            return;
        }
        var key = (State.Status, State.PaymentAttempts);
        if (!force && sentFor == key)
        {
            return;
        }
        var id = OrderSteps.RequestId(EntityId, step, State.PaymentAttempts);
        var (sku, account) = (State.Terms.Sku, State.Terms.AccountId);
        IShardedMessage command = step switch
        {
            OrderStep.Reserve => StockCommandParser.Envelope(sku, id, new Reserve(EntityId, State.Terms.Quantity)),
            OrderStep.Confirm => StockCommandParser.Envelope(sku, id, new Confirm(EntityId)),
            OrderStep.Release => StockCommandParser.Envelope(sku, id, new Release(EntityId)),
            OrderStep.Freeze => AccountCommandParser.Envelope(account, id, new Freeze(State.Asset, State.Amount)),
            OrderStep.Settle => AccountCommandParser.Envelope(account, id, new Settle(State.Asset, State.Amount)),
            OrderStep.Unfreeze => AccountCommandParser.Envelope(account, id, new Unfreeze(State.Asset, State.Amount)),
            _ => throw new InvalidOperationException($"{PersistenceId} has no step {step}"),
        };
        (step is OrderStep.Reserve or OrderStep.Confirm or OrderStep.Release ? stock : accounts).Tell(command, Self);
        sentFor = key;
        Timers.StartPeriodicTimer(StepTimer, OrderTimer.Step, orderOptions.StepRetry);
    }

    private void AnswerWaiters()
    {
        if (IsWriting)
        {
            return;
        }
        for (var i = waiters.Count - 1; i >= 0; i--)
        {
            if (Answer(waiters[i]) is { } reply)
            {
                waiters[i].ReplyTo.Tell(reply);
                waiters.RemoveAt(i);
            }
        }
    }

    /// <summary>The answer a waiter gets now, or null while the order has not got where it waits for.</summary>
    private CommandReply? Answer(Waiter w)
    {
        var s = State;
        var view = OrderView.Of(s);
        return w.For switch
        {
            _ when s.Status == OrderStatus.None => new CommandRejected(w.RequestId, RejectionCodes.NotFound, $"order '{EntityId}' does not exist"),
            WaitFor.Reservation when s.Status == OrderStatus.Reserving => null,
            WaitFor.Reservation when s.Status == OrderStatus.Rejected =>
                new CommandRejected(w.RequestId, s.Reason ?? RejectionCodes.SoldOut, $"order '{EntityId}' could not reserve {s.Terms.Quantity} units of '{s.Terms.Sku}': {s.Reason}; nothing is held"),
            WaitFor.Reservation => new OrderAccepted(w.RequestId, view),
            WaitFor.Payment when s.IsPaying => null,
            WaitFor.Payment when s.Status == OrderStatus.Paid => new OrderAccepted(w.RequestId, view),
            WaitFor.Payment when s.Status == OrderStatus.AwaitingPayment =>
                new CommandRejected(w.RequestId, s.Reason ?? RejectionCodes.InsufficientFunds,
                    $"order '{EntityId}' was not paid: {s.Reason}; it still awaits payment until {s.Deadline:O}"),
            WaitFor.Close when !s.IsFinal => null,
            WaitFor.Close when s.Status == OrderStatus.Cancelled => new OrderAccepted(w.RequestId, view),
            _ => new CommandRejected(w.RequestId, s.Status == OrderStatus.Paid ? RejectionCodes.OrderPaid : RejectionCodes.OrderClosed,
                $"order '{EntityId}' is {view.Status}{(s.Reason is null ? "" : $" ({s.Reason})")}"),
        };
    }

    protected override Decision<OrderEvent> Decide(OrderState state, OrderCommand command) => Order.Decide(state, command);

    protected override OrderState Evolve(OrderState state, OrderEvent @event) => Order.Evolve(state, @event);

    protected override OrderRecord Record(Stamp stamp, OrderEvent @event, OrderState after) => new(stamp, @event);

    protected override CommandAccepted Accept(Stamp stamp, OrderRecord last, OrderState after, long seqNr) =>
        new OrderAccepted(stamp.RequestId, OrderView.Of(after));

    protected override ICohortMessage Snapshot(OrderState state, LoggedRequest[] requests) => new OrderSnapshot(state, requests);

    protected override (OrderState State, IReadOnlyList<LoggedRequest> Requests) Restore(object snapshot) =>
        snapshot is OrderSnapshot s
            ? (s.State, s.Requests)
            : throw new InvalidDataException($"{PersistenceId}: unexpected snapshot {snapshot.GetType().Name}");

    private enum WaitFor
    {
        Reservation,
        Payment,
        Close,
    }

    private sealed record Waiter(IActorRef ReplyTo, string RequestId, WaitFor For);
}
