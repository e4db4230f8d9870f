using Akka.Actor;
using Akka.Event;
using Akka.Cluster.Sharding;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Metrics;
using Cohort.Cluster.Persistence;
using Cohort.Domain;
using Cohort.Domain.Accounts;
using Cohort.Domain.Transfers;

namespace Cohort.Cluster.Entities.Transfers;

/// <summary>
/// The transfer process: debit the sender, then credit the receiver, refunding the sender if the credit is refused.
/// Each step is an account command with the deterministic request id <c>&lt;transferId&gt;:debit|credit|refund</c>,
/// sent again every <see cref="TransferOptions.StepRetry"/> until its answer is journaled, and again after any
/// recovery: the account applies it once, so money never moves twice nor without its transfer. The region remembers
/// its entities, so a transfer in flight on a node that dies restarts on a survivor by itself; a final transfer
/// passivates and is forgotten.
/// </summary>
public sealed class TransferActor : JournaledEntity<TransferState, TransferCommand, TransferEvent, TransferRecord>, IWithTimers
{
    private const string StepTimer = "step";

    private readonly IActorRef accounts;
    private readonly TransferOptions transferOptions;
    private readonly List<IActorRef> awaiting = [];
    private TransferStatus sentFor = TransferStatus.None;

    public TransferActor(string transferId, IActorRef accounts, TransferOptions transferOptions, EntityOptions options, CohortMetrics metrics)
        : base(TransferRegion.TypeName, transferId, TransferState.New(transferId), options, metrics)
    {
        this.accounts = accounts;
        this.transferOptions = transferOptions;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props PropsFor(string transferId, IActorRef accounts, TransferOptions transferOptions, EntityOptions options, CohortMetrics metrics) =>
        Props.Create(() => new TransferActor(transferId, accounts, transferOptions, options, metrics));

    protected override void OnMessage(object message)
    {
        switch (message)
        {
            case TransferCommandEnvelope start:
                Execute(start.TransferId, start.Hash, new StartTransfer(start.Terms), Sender);
                break;
            case AwaitTransfer:
                if (State.IsFinal)
                {
                    Sender.Tell(TransferAnswer.Of(EntityId, State));
                }
                else if (State.Status == TransferStatus.None && !IsWriting)
                {
                    Sender.Tell(new TransferNotFound(EntityId));
                    PassivateIfIdle();
                }
                else
                {
                    awaiting.Add(Sender);
                }
                break;
            case CommandReply answer when TransferSteps.TryParse(answer.RequestId, out var transferId, out var step) && transferId == EntityId:
                OnStepAnswered(answer, step);
                break;
            case ResendStep:
                SendStep(force: true);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>
    /// An account's answer to a step. Answers that say nothing final (the account is moving, or failed) are dropped:
    /// the timer sends the step again.
    /// </summary>
    private void OnStepAnswered(CommandReply answer, TransferStep step)
    {
        var (accepted, code) = answer switch
        {
            CommandAccepted => (true, (string?)null),
            CommandRejected r => (false, r.Code),
            _ => (false, null),
        };
        if (!accepted && code is null)
        {
            Logger.Warning("{0}: step {1} not answered yet ({2}); sending it again in {3}", PersistenceId, answer.RequestId, answer, transferOptions.StepRetry);
            return;
        }
        Execute(answer.RequestId, RequestHash.Of($"{step}\n{accepted}\n{code}"), new StepAnswered(step, accepted, code), ActorRefs.Nobody);
    }

    protected override void OnDurable()
    {
        if (State.IsFinal)
        {
            Timers.Cancel(StepTimer);
            var answer = TransferAnswer.Of(EntityId, State);
            foreach (var waiter in awaiting)
            {
                waiter.Tell(answer);
            }
            awaiting.Clear();
            PassivateIfIdle();
        }
        else if (State.Status != TransferStatus.None)
        {
            SendStep(force: false);
        }
    }

    /// <summary>Sends the step the durable state waits on, and keeps resending it until the state moves on.</summary>
    private void SendStep(bool force)
    {
        if (State.IsFinal || State.Status == TransferStatus.None || (!force && sentFor == State.Status))
        {
            return;
        }
        var t = State.Terms;
        var (account, command, step) = State.Status switch
        {
            TransferStatus.Debiting => (t.From, (AccountCommand)new TransferDebit(t.Asset, t.Amount, EntityId, t.To), TransferStep.Debit),
            TransferStatus.Crediting => (t.To, new TransferCredit(t.Asset, t.Amount, EntityId, t.From), TransferStep.Credit),
            TransferStatus.Refunding => (t.From, new TransferRefund(t.Asset, t.Amount, EntityId, t.To), TransferStep.Refund),
            _ => throw new InvalidOperationException($"{PersistenceId} has no step in status {State.Status}"),
        };
        accounts.Tell(AccountCommandParser.Envelope(account, TransferSteps.RequestId(EntityId, step), command), Self);
        sentFor = State.Status;
        Timers.StartPeriodicTimer(StepTimer, ResendStep.Instance, transferOptions.StepRetry);
    }

    private void PassivateIfIdle()
    {
        if (!IsWriting)
        {
            Context.Parent.Tell(new Passivate(StopEntity.Instance));
        }
    }

    protected override Decision<TransferEvent> Decide(TransferState state, TransferCommand command) => Transfer.Decide(state, command);

    protected override TransferState Evolve(TransferState state, TransferEvent @event) => Transfer.Evolve(state, @event);

    protected override TransferRecord Record(Stamp stamp, TransferEvent @event, TransferState after) => new(stamp, @event);

    protected override CommandAccepted Accept(Stamp stamp, TransferRecord last, TransferState after, long seqNr) =>
        TransferAnswer.Of(stamp.RequestId, after);

    protected override ICohortMessage Snapshot(TransferState state, LoggedRequest[] requests) => new TransferSnapshot(state, requests);

    protected override (TransferState State, IReadOnlyList<LoggedRequest> Requests) Restore(object snapshot) =>
        snapshot is TransferSnapshot s
            ? (s.State, s.Requests)
            : throw new InvalidDataException($"{PersistenceId}: unexpected snapshot {snapshot.GetType().Name}");
}
