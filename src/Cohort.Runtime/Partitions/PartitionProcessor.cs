using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using Cohort.Domain;
using Cohort.Runtime.Ask;
using Cohort.Runtime.Entities;
using Cohort.Runtime.Kafka;
using Cohort.Runtime.Metrics;
using Cohort.Runtime.Persistence;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Cohort.Runtime.Partitions;

/// <summary>
/// The write path of one partition, as DESIGN.md tells it: fence, then for each batch load what is missing,
/// decide every command in memory, commit everything in one transaction, answer, and only then move the
/// Kafka offset. A crash anywhere replays the batch, and the stored request results make the replay harmless.
/// </summary>
internal sealed class PartitionProcessor<TState, TCommand, TEvent> : IPartitionProcessor
    where TState : class
    where TCommand : class
    where TEvent : class
{
    private readonly EntityType<TState, TCommand, TEvent> type;
    private readonly PartitionContext context;
    private readonly ILogger logger;
    private readonly Channel<Submission> inbox;
    private readonly List<Submission> batch;
    private readonly CancellationTokenSource stopping = new();
    private readonly EntityCache<TState> cache;
    private readonly OutboxRelay outbox;
    private readonly Task run;

    public PartitionProcessor(EntityType<TState, TCommand, TEvent> type, TopicPartition topicPartition, PartitionContext context)
    {
        this.type = type;
        this.context = context;
        TopicPartition = topicPartition;
        logger = context.LoggerFactory.CreateLogger($"Cohort.Partitions.{topicPartition.Topic}");
        // Two writers: the node's consumer, and its ingress handing over commands for this partition.
        inbox = Channel.CreateBounded<Submission>(new BoundedChannelOptions(context.Options.InboxCapacity) { SingleReader = true });
        batch = new List<Submission>(context.Options.MaxBatchSize);
        cache = new EntityCache<TState>(context.Options.PassivateAfter);
        outbox = new OutboxRelay(context.Producer);
        run = Task.Run(RunAsync);
    }

    public TopicPartition TopicPartition { get; }

    public long Epoch { get; private set; }

    public bool IsRecovering { get; private set; } = true;

    private int Partition => TopicPartition.Partition.Value;

    public bool Enqueue(ConsumeResult<string?, byte[]> message, CancellationToken ct)
    {
        var submission = Submission.Consumed(message);
        while (!inbox.Writer.TryWrite(submission))
        {
            if (run.IsCompleted || ct.IsCancellationRequested)
            {
                return false;
            }
            inbox.Writer.WaitToWriteAsync(ct).AsTask().Wait(TimeSpan.FromMilliseconds(100), CancellationToken.None);
        }
        return true;
    }

    public Task<string>? TrySubmit(Message<string?, byte[]> message)
    {
        var answer = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        return inbox.Writer.TryWrite(Submission.Local(message, answer)) ? answer.Task : null;
    }

    public async Task StopAsync()
    {
        await stopping.CancelAsync();
        await run;
    }

    private async Task RunAsync()
    {
        try
        {
            Epoch = await RetryAsync("taking the partition",
                () => context.Epochs.AcquireAsync(TopicPartition.Topic, Partition, context.NodeId, stopping.Token));
            var resent = await RetryAsync("resending the outbox", ResendUnsentAsync);
            IsRecovering = false;
            logger.LogInformation("Took partition {Topic}/{Partition} with epoch {Epoch}; sent {Resent} messages of earlier owners again",
                TopicPartition.Topic, Partition, Epoch, resent);
            while (await ReadBatchAsync())
            {
                if (outbox.Failed)
                {
                    await RetryAsync("resending the outbox", ResendUnsentAsync);
                }
                cache.Passivate();
                await ProcessWithRetriesAsync();
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (PartitionFencedException e)
        {
            logger.LogWarning(e, "Stopped processing {Topic}/{Partition}: another node owns it now", TopicPartition.Topic, Partition);
        }
        catch (Exception e)
        {
            logger.LogCritical(e, "Partition {Topic}/{Partition} failed and stopped", TopicPartition.Topic, Partition);
        }
        finally
        {
            inbox.Writer.TryComplete();
            ReleaseLocalSubmissions();
            logger.LogInformation("Released partition {Topic}/{Partition} (epoch {Epoch})", TopicPartition.Topic, Partition, Epoch);
        }
    }

    /// <summary>Retries a step that failed for a reason other than fencing, until it succeeds or the node stops.</summary>
    private async Task<T> RetryAsync<T>(string what, Func<Task<T>> step)
    {
        while (true)
        {
            try
            {
                return await step();
            }
            catch (Exception e) when (e is not (PartitionFencedException or OperationCanceledException))
            {
                logger.LogError(e, "{Step} of {Topic}/{Partition} failed; retrying", what, TopicPartition.Topic, Partition);
                await Task.Delay(context.Options.RetryDelay, stopping.Token);
            }
        }
    }

    /// <summary>
    /// Waits for a first command and takes what has arrived; when that is less than a full batch, waits the batch
    /// delay once and takes what arrived meanwhile. One timer per batch: waking up for every command that
    /// trickles in cost more than the commands themselves.
    /// </summary>
    private async Task<bool> ReadBatchAsync()
    {
        var reader = inbox.Reader;
        if (!await reader.WaitToReadAsync(stopping.Token))
        {
            return false;
        }
        Take(reader);
        var delay = context.Options.MaxBatchDelay;
        if (batch.Count < context.Options.MaxBatchSize && delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, stopping.Token);
            Take(reader);
        }
        return true;
    }

    private void Take(ChannelReader<Submission> reader)
    {
        while (batch.Count < context.Options.MaxBatchSize && reader.TryRead(out var submission))
        {
            batch.Add(submission);
        }
    }

    /// <summary>
    /// A batch whose transaction failed is decided again from the committed state, until it commits, the
    /// partition is fenced, or the node stops. Stopping never interrupts a transaction in flight.
    /// </summary>
    private async Task ProcessWithRetriesAsync()
    {
        while (true)
        {
            try
            {
                await ProcessAsync();
                return;
            }
            catch (Exception e) when (e is not PartitionFencedException)
            {
                // The transaction may have committed before the error reached us: only the journal knows.
                cache.Clear();
                context.Metrics.BatchFailed();
                logger.LogError(e, "Batch of {Count} commands on {Topic}/{Partition} failed; retrying", batch.Count, TopicPartition.Topic, Partition);
                await Task.Delay(context.Options.RetryDelay, stopping.Token);
            }
        }
    }

    private async Task ProcessAsync()
    {
        var started = Stopwatch.GetTimestamp();
        var commands = new ParsedCommand<TCommand>[batch.Count];
        var toLoad = new List<string>();
        var loading = new HashSet<string>(StringComparer.Ordinal);
        var requestEntityIds = new List<string>(batch.Count);
        var requestIds = new List<string>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            var command = Parse(batch[i].Message);
            commands[i] = command;
            if (command.Invalid is not null)
            {
                continue;
            }
            requestEntityIds.Add(command.EntityId);
            requestIds.Add(command.RequestId);
            if (!cache.Contains(command.EntityId) && loading.Add(command.EntityId))
            {
                toLoad.Add(command.EntityId);
            }
        }

        var reading = Stopwatch.GetTimestamp();
        var read = await context.Journal.ReadAsync(type.Name, toLoad, requestEntityIds, requestIds, CancellationToken.None);
        var readTime = Stopwatch.GetElapsedTime(reading);
        foreach (var id in toLoad)
        {
            cache.Put(id, Recover(id, read.Entities.GetValueOrDefault(id)));
        }

        var write = new BatchWrite(type.Name, Partition);
        var results = read.Results;
        var changed = new Dictionary<string, CachedEntity<TState>>(StringComparer.Ordinal);
        var journaled = new List<(JournaledEvent<TEvent>, TState)>();
        var answers = new string[batch.Count];
        var now = DateTime.UtcNow;
        for (var i = 0; i < batch.Count; i++)
        {
            answers[i] = Decide(commands[i], results, changed, write, journaled, now);
        }

        var changes = new List<EntityChange<TState>>(changed.Count);
        foreach (var (id, entity) in changed)
        {
            var every = context.Options.SnapshotEvery;
            if (entity.SeqNr / every > entity.SnapshotSeqNr / every)
            {
                write.AddSnapshot(id, entity.SeqNr, type.SerializeState(entity.State));
                entity.SnapshotSeqNr = entity.SeqNr;
            }
            changes.Add(new EntityChange<TState>(id, entity.SeqNr, entity.State));
        }

        TimeSpan? commitTime = null;
        if (write.ResultCount > 0)
        {
            var committing = Stopwatch.GetTimestamp();
            var position = await context.Committer.CommitAsync(new ProjectedCommit<TState, TEvent>(
                TopicPartition.Topic, Epoch, write, outbox.TakeConfirmed(), type.ReadModel, changes, journaled));
            commitTime = Stopwatch.GetElapsedTime(committing);
            if (position > 0)
            {
                var messages = new List<OutboundMessage>();
                foreach (var (e, _) in journaled)
                {
                    type.Publish(e, messages);
                }
                outbox.Send(position, messages);
            }
        }
        foreach (var (id, entity) in changed)
        {
            cache.Put(id, entity);
        }

        var lastOffset = -1L;
        for (var i = 0; i < batch.Count; i++)
        {
            var submission = batch[i];
            if (submission.LocalAnswer is { } local)
            {
                local.TrySetResult(answers[i]);
                continue;
            }
            if (commands[i].Invalid is { } invalid)
            {
                DeadLetter(submission, invalid.Message);
            }
            Answer(submission.Message, answers[i]);
            lastOffset = submission.Offset;
        }
        if (lastOffset >= 0)
        {
            context.StoreOffset(new TopicPartitionOffset(TopicPartition, lastOffset + 1));
        }
        context.Metrics.BatchCommitted(batch.Count, write.EventCount, Stopwatch.GetElapsedTime(started), readTime, commitTime);
    }

    private ParsedCommand<TCommand> Parse(Message<string?, byte[]> message)
    {
        var command = type.ParseCommand(message);
        if (command.Invalid is not null)
        {
            return command;
        }
        if (message.Key != command.EntityId)
        {
            return ParsedCommand<TCommand>.Reject(command.EntityId, command.RequestId,
                $"the message key '{message.Key}' must equal the entity id '{command.EntityId}'");
        }
        var expected = Murmur2.Partition(Encoding.UTF8.GetBytes(command.EntityId), context.PartitionCount);
        if (expected != Partition)
        {
            return ParsedCommand<TCommand>.Reject(command.EntityId, command.RequestId,
                $"entity '{command.EntityId}' belongs on partition {expected}, not {Partition}: produce with Kafka's murmur2 key partitioner");
        }
        return command;
    }

    /// <summary>Decides one command against the batch's working state and records what it wrote.</summary>
    private string Decide(
        ParsedCommand<TCommand> command,
        Dictionary<(string, string), StoredResult> results,
        Dictionary<string, CachedEntity<TState>> changed,
        BatchWrite write,
        List<(JournaledEvent<TEvent>, TState)> journaled,
        DateTime now)
    {
        if (command.Invalid is not null)
        {
            context.Metrics.CommandInvalid();
            return CommandResult.Rejected(command.Invalid);
        }
        var key = (command.EntityId, command.RequestId);
        if (results.TryGetValue(key, out var stored))
        {
            context.Metrics.CommandReplayed();
            return stored.PayloadHash.AsSpan().SequenceEqual(command.PayloadHash)
                ? stored.ResultJson
                : CommandResult.Rejected(new Rejection(RejectionCodes.IdempotencyConflict,
                    $"request id '{command.RequestId}' was already used for a different command"));
        }

        if (!changed.TryGetValue(command.EntityId, out var working))
        {
            var committed = cache.Get(command.EntityId);
            working = new CachedEntity<TState>(committed.State, committed.SeqNr, committed.SnapshotSeqNr);
        }
        var decision = type.Decide(working.State, command.Command!);
        string result;
        if (decision.Rejection is { } rejection)
        {
            result = CommandResult.Rejected(rejection);
        }
        else
        {
            var state = working.State;
            var seqNr = working.SeqNr;
            foreach (var e in decision.Events)
            {
                state = type.Evolve(state, e);
                seqNr++;
                write.AddEvent(command.EntityId, seqNr, type.EventType(e), type.SerializeEvent(e), command.RequestId);
                journaled.Add((new JournaledEvent<TEvent>(command.EntityId, seqNr, command.RequestId, e, now), state));
            }
            working.State = state;
            working.SeqNr = seqNr;
            changed[command.EntityId] = working;
            result = CommandResult.Ok(w => type.WriteAnswer(w, command.RequestId, state, command.Command!, seqNr));
        }
        write.AddResult(command.EntityId, command.RequestId, command.PayloadHash, result);
        results[key] = new StoredResult(command.PayloadHash, result);
        return result;
    }

    private CachedEntity<TState> Recover(string entityId, StoredEntity? stored)
    {
        if (stored is null)
        {
            return new CachedEntity<TState>(type.Initial(entityId), 0, 0);
        }
        var state = stored.SnapshotJson is null ? type.Initial(entityId) : type.DeserializeState(entityId, stored.SnapshotJson);
        var seqNr = stored.SnapshotSeqNr;
        foreach (var e in stored.Events)
        {
            if (e.SeqNr != seqNr + 1)
            {
                throw new InvariantViolationException($"{type.Name} {entityId}: journal jumps from event {seqNr} to {e.SeqNr}");
            }
            state = type.Evolve(state, type.DeserializeEvent(e.EventType, e.PayloadJson));
            seqNr = e.SeqNr;
        }
        context.Metrics.EntityRecovered(stored.Events.Count);
        return new CachedEntity<TState>(state, seqNr, stored.SnapshotSeqNr);
    }

    private void Answer(Message<string?, byte[]> message, string result)
    {
        var replyTo = CohortHeaders.Get(message.Headers, CohortHeaders.ReplyTo);
        if (replyTo is null)
        {
            return;
        }
        var correlationId = CohortHeaders.Get(message.Headers, CohortHeaders.CorrelationId);
        var key = CohortHeaders.Get(message.Headers, CohortHeaders.ReplyKey) ?? correlationId;
        var headers = new Headers { { CohortHeaders.CorrelationId, Encoding.UTF8.GetBytes(correlationId ?? "") } };
        context.Producer.Send(replyTo, key, Encoding.UTF8.GetBytes(result), headers);
    }

    /// <summary>A message nobody can act on goes aside with its reason, so the partition keeps moving.</summary>
    private void DeadLetter(Submission message, string reason)
    {
        var headers = new Headers();
        foreach (var header in message.Message.Headers ?? [])
        {
            headers.Add(header.Key, header.GetValueBytes());
        }
        var source = new TopicPartitionOffset(TopicPartition, message.Offset);
        headers.Add(CohortHeaders.DeadLetterReason, Encoding.UTF8.GetBytes(reason));
        headers.Add(CohortHeaders.DeadLetterSource, Encoding.UTF8.GetBytes(source.ToString()));
        context.Producer.Send(CohortTopics.DeadLetters(type.Name), message.Message.Key, message.Message.Value, headers);
        logger.LogWarning("Dead-lettered {Source}: {Reason}", source, reason);
    }

    /// <summary>
    /// Local commands left unanswered when the partition goes (queued, or in a batch that never committed here)
    /// are failed so their asks send them again through Kafka, to whoever owns the partition next.
    /// </summary>
    private void ReleaseLocalSubmissions()
    {
        var released = new PartitionReleasedException(TopicPartition.Topic, Partition);
        foreach (var submission in batch)
        {
            submission.LocalAnswer?.TrySetException(released);
        }
        while (inbox.Reader.TryRead(out var queued))
        {
            queued.LocalAnswer?.TrySetException(released);
        }
    }

    /// <summary>
    /// Sends again what the events after the partition's outbox cursor publish (an earlier owner may have
    /// committed them and died before Kafka had their messages), waits for Kafka, then moves the cursor.
    /// </summary>
    private async Task<int> ResendUnsentAsync()
    {
        outbox.Reset();
        var (cursor, events) = await context.Journal.ReadUnsentAsync(type.Name, Partition, stopping.Token);
        if (events.Count == 0)
        {
            return 0;
        }
        var messages = new List<OutboundMessage>();
        foreach (var e in events)
        {
            type.Publish(new JournaledEvent<TEvent>(e.EntityId, e.SeqNr, e.RequestId, type.DeserializeEvent(e.EventType, e.Payload), e.At), messages);
        }
        await outbox.SendAndWaitAsync(messages, stopping.Token);
        var last = events[^1].Position;
        await context.Journal.AdvanceCursorAsync(TopicPartition.Topic, type.Name, Partition, Epoch, last, stopping.Token);
        logger.LogInformation("Outbox of {Topic}/{Partition}: sent {Count} messages after position {Cursor} again, up to {Last}",
            TopicPartition.Topic, Partition, messages.Count, cursor, last);
        return messages.Count;
    }
}
