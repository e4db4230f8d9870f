using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Cohort.Cluster.Metrics;
using Cohort.Cluster.Persistence;
using Cohort.Domain;

namespace Cohort.Cluster.Entities;

/// <summary>
/// Hosts one entity of the pure domain (its Decide and Evolve) as a persistent actor, the single writer of that
/// entity in the cluster. A command is decided at once against the state that includes every command accepted
/// before it; its records are written to the journal with every other command that arrived while the previous
/// write was in flight, in one atomic write; each command is answered when its own records are durable. So a hot
/// entity pays one journal round trip per batch, not per command, and only one write is ever in flight: a failed
/// write can never leave a later one in the journal without it.
/// Every command is idempotent by request id: the request log keeps each id's first answer (refusals too, which
/// are journaled as <see cref="Refused"/>) for the retention, through snapshots, passivation and failover.
/// </summary>
public abstract class JournaledEntity<TState, TCommand, TEvent, TRecord> : UntypedPersistentActor
    where TState : class
    where TCommand : class
    where TEvent : class
    where TRecord : class, IEventRecord<TEvent>
{
    private readonly string typeName;
    private readonly EntityOptions options;
    private readonly CohortMetrics metrics;
    private readonly RequestLog log = new();
    private readonly List<Decided> unwritten = [];
    private readonly Dictionary<string, Decided> undurable = new(StringComparer.Ordinal);
    private readonly Queue<(Decided Command, TState After, bool Last)> written = new();
    private List<Decided>? writing;
    private long writeStarted;
    private TState working;
    private long snapshotSeqNr;
    private int snapshotRequests;
    private long replayed;
    private bool stopping;
    private bool failing;
    private (string RequestId, IActorRef ReplyTo)? current;

    protected JournaledEntity(string typeName, string entityId, TState initial, EntityOptions options, CohortMetrics metrics)
    {
        this.typeName = typeName;
        this.options = options;
        this.metrics = metrics;
        EntityId = entityId;
        PersistenceId = PersistenceIds.Of(typeName, entityId);
        State = initial;
        working = initial;
    }

    public override string PersistenceId { get; }

    protected string EntityId { get; }

    /// <summary>The state as the journal holds it: every read answers from this, never from commands still being written.</summary>
    protected TState State { get; private set; }

    protected ILoggingAdapter Logger { get; } = Context.GetLogger();

    /// <summary>Commands are decided whose records are not durable yet.</summary>
    protected bool IsWriting => writing is not null || unwritten.Count > 0;

    protected abstract Decision<TEvent> Decide(TState state, TCommand command);

    protected abstract TState Evolve(TState state, TEvent @event);

    /// <summary>The journal record of an event, given the state it leaves.</summary>
    protected abstract TRecord Record(Stamp stamp, TEvent @event, TState after);

    /// <summary>The answer to an accepted command whose last record is <paramref name="last"/>, at <paramref name="seqNr"/>.</summary>
    protected abstract CommandAccepted Accept(Stamp stamp, TRecord last, TState after, long seqNr);

    protected abstract ICohortMessage Snapshot(TState state, LoggedRequest[] requests);

    protected abstract (TState State, IReadOnlyList<LoggedRequest> Requests) Restore(object snapshot);

    /// <summary>Everything but the commands the engine handles itself.</summary>
    protected abstract void OnMessage(object message);

    /// <summary>After recovery, and after every write: the state is durable up to here.</summary>
    protected virtual void OnDurable()
    {
    }

    /// <summary>
    /// Decides a command and answers <paramref name="replyTo"/> once it is durable; a request id seen before is
    /// answered its first answer, or <c>idempotency_conflict</c> when the command differs.
    /// </summary>
    protected void Execute(string requestId, RequestHash hash, TCommand command, IActorRef replyTo)
    {
        if (log.TryGet(requestId, out var logged))
        {
            metrics.Command(typeName, "replayed");
            replyTo.Tell(logged.Stamp.Hash == hash ? logged.Reply : Conflict(requestId));
            return;
        }
        if (undurable.TryGetValue(requestId, out var pending))
        {
            if (pending.Stamp.Hash == hash)
            {
                pending.Waiters.Add(replyTo);
            }
            else
            {
                replyTo.Tell(Conflict(requestId));
            }
            return;
        }

        current = (requestId, replyTo);
        var decision = Decide(working, command);
        var stamp = new Stamp(requestId, hash, DateTime.UtcNow);
        Decided decided;
        if (decision.Rejection is { } rejection)
        {
            decided = new Decided(stamp, [(new Refused(stamp, rejection.Code, rejection.Message), working)],
                new CommandRejected(requestId, rejection.Code, rejection.Message));
        }
        else
        {
            var records = new List<(IJournalRecord, TState)>(decision.Events.Count);
            var state = working;
            foreach (var e in decision.Events)
            {
                state = Evolve(state, e);
                records.Add((Record(stamp, e, state), state));
            }
            working = state;
            decided = new Decided(stamp, records, null);
        }
        current = null;

        if (decided.Records.Count == 0)
        {
            // Nothing to write (a late answer to a step already taken): nothing to remember either.
            if (replyTo != ActorRefs.Nobody)
            {
                throw new InvalidOperationException($"{PersistenceId}: command {requestId} changed nothing and has nobody to answer");
            }
            return;
        }
        decided.Waiters.Add(replyTo);
        unwritten.Add(decided);
        undurable[requestId] = decided;
        Flush();
    }

    /// <summary>Writes what was decided since the last write, unless a write is in flight.</summary>
    private void Flush()
    {
        if (writing is not null || unwritten.Count == 0)
        {
            return;
        }
        var take = 0;
        var count = 0;
        while (take < unwritten.Count && (take == 0 || count + unwritten[take].Records.Count <= options.MaxBatch))
        {
            count += unwritten[take].Records.Count;
            take++;
        }
        writing = unwritten.GetRange(0, take);
        unwritten.RemoveRange(0, take);
        var records = new List<IJournalRecord>(count);
        foreach (var decided in writing)
        {
            for (var i = 0; i < decided.Records.Count; i++)
            {
                records.Add(decided.Records[i].Record);
                written.Enqueue((decided, decided.Records[i].After, i == decided.Records.Count - 1));
            }
        }
        writeStarted = Stopwatch.GetTimestamp();
        PersistAllAsync(records, OnRecordWritten);
        DeferAsync(records.Count, OnBatchWritten);
    }

    private void OnRecordWritten(IJournalRecord record)
    {
        var (decided, after, last) = written.Dequeue();
        State = after;
        if (last)
        {
            decided.SeqNr = LastSequenceNr;
        }
    }

    private void OnBatchWritten(int recordCount)
    {
        metrics.Written(typeName, recordCount, Stopwatch.GetElapsedTime(writeStarted));
        foreach (var decided in writing!)
        {
            CommandReply reply = (CommandReply?)decided.Rejection ?? Accept(decided.Stamp, (TRecord)decided.Records[^1].Record, decided.Records[^1].After, decided.SeqNr);
            log.Add(new LoggedRequest(decided.Stamp, reply));
            undurable.Remove(decided.Stamp.RequestId);
            metrics.Command(typeName, decided.Rejection is null ? "accepted" : "rejected");
            foreach (var waiter in decided.Waiters)
            {
                waiter.Tell(reply);
            }
        }
        writing = null;
        SnapshotIfDue();
        OnDurable();
        if (stopping && unwritten.Count == 0)
        {
            Context.Stop(Self);
            return;
        }
        Flush();
    }

    /// <summary>
    /// Snapshots once the records since the last snapshot are at least <see cref="EntityOptions.SnapshotEvery"/> and
    /// at least as many as the request ids that snapshot held. A snapshot then holds at most those ids plus one per
    /// record since, so writing snapshots costs at most about two ids per record however many ids the retention
    /// keeps, and recovery replays at most about as many records as the entity remembers ids.
    /// </summary>
    private void SnapshotIfDue()
    {
        if (LastSequenceNr - snapshotSeqNr < Math.Max(options.SnapshotEvery, snapshotRequests))
        {
            return;
        }
        log.Prune(DateTime.UtcNow - options.RequestRetention);
        var requests = log.ToArray();
        SaveSnapshot(Snapshot(State, requests));
        snapshotSeqNr = LastSequenceNr;
        snapshotRequests = requests.Length;
    }

    protected sealed override void OnCommand(object message)
    {
        switch (message)
        {
            case StopEntity:
                stopping = true;
                if (writing is null && unwritten.Count == 0)
                {
                    Context.Stop(Self);
                }
                break;
            case SaveSnapshotSuccess saved:
                DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
                break;
            case SaveSnapshotFailure failed:
                Logger.Warning(failed.Cause, "{0}: snapshot at {1} failed; the next write tries again", PersistenceId, failed.Metadata.SequenceNr);
                snapshotSeqNr = 0;
                break;
            case DeleteSnapshotsSuccess or DeleteSnapshotsFailure:
                break;
            default:
                OnMessage(message);
                break;
        }
    }

    protected sealed override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer offer:
                var (state, requests) = Restore(offer.Snapshot);
                State = state;
                foreach (var logged in requests)
                {
                    log.Add(logged);
                }
                snapshotSeqNr = offer.Metadata.SequenceNr;
                snapshotRequests = requests.Count;
                break;
            case Refused refused:
                replayed++;
                log.Add(new LoggedRequest(refused.Stamp, new CommandRejected(refused.Stamp.RequestId, refused.Code, refused.Message)));
                break;
            case TRecord record:
                replayed++;
                State = Evolve(State, record.Event);
                log.Add(new LoggedRequest(record.Stamp, Accept(record.Stamp, record, State, LastSequenceNr)));
                break;
            case RecoveryCompleted:
                working = State;
                log.Prune(DateTime.UtcNow - options.RequestRetention);
                metrics.Recovered(typeName, replayed);
                OnDurable();
                break;
        }
    }

    /// <summary>
    /// The entity threw (a broken invariant, a bug). The command that did it is answered as failed; those decided
    /// but maybe not written are told to retry; the restart recovers the state from the journal.
    /// </summary>
    protected override void PreRestart(Exception reason, object message)
    {
        metrics.EntityFailed(typeName);
        if (current is { } failed)
        {
            Logger.Error(reason, "{0} failed on request {1} and restarts from its journal", PersistenceId, failed.RequestId);
            failed.ReplyTo.Tell(new CommandFailed(failed.RequestId, $"{reason.GetType().Name}: {reason.Message}"));
            current = null;
        }
        TellUndurable("the entity restarted");
        base.PreRestart(reason, message);
    }

    /// <summary>The journal could not write a batch: the actor stops (Akka's rule) and its next message recovers it.</summary>
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        TellUndurable($"the journal failed: {cause.Message}");
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    /// <summary>
    /// The journal refused a batch (it is full, or a record did not serialize): nothing of it was written, but later
    /// commands were decided against it, so the entity restarts from its journal.
    /// </summary>
    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        base.OnPersistRejected(cause, @event, sequenceNr);
        if (!failing)
        {
            failing = true;
            TellUndurable($"the journal refused the write: {cause.Message}");
            throw new JournalRejectedException(PersistenceId, cause);
        }
    }

    private void TellUndurable(string reason)
    {
        foreach (var decided in undurable.Values)
        {
            foreach (var waiter in decided.Waiters)
            {
                waiter.Tell(new CommandUnavailable(decided.Stamp.RequestId, $"{reason}; send it again with the same request id"));
            }
            decided.Waiters.Clear();
        }
    }

    private static CommandRejected Conflict(string requestId) =>
        new(requestId, RejectionCodes.IdempotencyConflict, $"request id '{requestId}' was already used for a different command");

    /// <summary>A command decided against the working state, and what it writes.</summary>
    private sealed class Decided(Stamp stamp, List<(IJournalRecord Record, TState After)> records, CommandRejected? rejection)
    {
        public Stamp Stamp { get; } = stamp;

        public List<(IJournalRecord Record, TState After)> Records { get; } = records;

        public CommandRejected? Rejection { get; } = rejection;

        public List<IActorRef> Waiters { get; } = [];

        public long SeqNr { get; set; }
    }
}

/// <summary>The journal refused an entity's write; the entity restarts to recover its state from what was written.</summary>
public sealed class JournalRejectedException(string persistenceId, Exception cause)
    : Exception($"the journal refused a write of {persistenceId}", cause);
