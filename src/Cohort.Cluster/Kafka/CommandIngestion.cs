using System.Diagnostics;
using System.Text;
using Akka.Actor;
using Akka.Hosting;
using Akka.Streams;
using Akka.Streams.Dsl;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Hosting;
using Cohort.Cluster.Metrics;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cohort.Cluster.Kafka;

/// <summary>
/// Consumes <c>cohort.commands.&lt;type&gt;</c> as one consumer group and applies each command through its entity's
/// shard region, routed by the entity id inside the message whatever partition it arrived on. A stream of batches:
/// each command of a batch is sent to its entity in order (so in order per entity), the batch completes when every
/// command is answered (or dead-lettered), and only then are its offsets stored, in order, for the consumer to
/// commit. A command applies at least once through Kafka and once in effect: entities answer a request id they
/// have seen with its first answer.
/// </summary>
public sealed class CommandIngestion(
    IOptions<KafkaOptions> kafkaOptions,
    IOptions<NodeOptions> nodeOptions,
    IReadOnlyList<EntityModule> modules,
    ActorSystem system,
    ActorRegistry registry,
    IServiceProvider services,
    MessageProducer producer,
    NodeReadiness readiness,
    CohortMetrics metrics,
    IHostApplicationLifetime lifetime,
    ILogger<CommandIngestion> logger) : IHostedService
{
    private IConsumer<string?, byte[]>? consumer;
    private KafkaBatchSource? source;
    private Task? completion;
    private volatile bool stopping;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var options = kafkaOptions.Value;
        if (!options.ConsumeCommands)
        {
            readiness.KafkaStarted();
            return Task.CompletedTask;
        }
        var routes = modules.Where(m => m.HasCommandTopic).ToDictionary(m => CohortTopics.Commands(m.TypeName), m => new Route(m, m.Region(registry)), StringComparer.Ordinal);
        consumer = new ConsumerBuilder<string?, byte[]>(new ConsumerConfig
            {
                BootstrapServers = options.BootstrapServers,
                GroupId = options.GroupId,
                AutoOffsetReset = AutoOffsetReset.Earliest,
                EnableAutoCommit = true,
                // Stored only once a command is answered: the consumer commits nothing that was not.
                EnableAutoOffsetStore = false,
                AutoCommitIntervalMs = 1000,
                PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
                SessionTimeoutMs = options.SessionTimeoutMs,
                HeartbeatIntervalMs = options.HeartbeatIntervalMs,
                SocketNagleDisable = true,
            })
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                logger.LogInformation("Kafka assigned {Partitions}", Describe(partitions));
                readiness.KafkaStarted();
            })
            .SetPartitionsRevokedHandler((_, partitions) => logger.LogInformation("Kafka revoked {Partitions}", Describe(partitions.Select(p => p.TopicPartition))))
            .SetPartitionsLostHandler((_, partitions) => logger.LogWarning("Kafka lost {Partitions}", Describe(partitions.Select(p => p.TopicPartition))))
            .SetErrorHandler((_, e) => logger.LogWarning("Kafka consumer error {Code}: {Reason}", e.Code, e.Reason))
            .Build();
        consumer.Subscribe(routes.Keys);
        source = new KafkaBatchSource(consumer, options.MaxBatch, options.BatchesInFlight, logger);
        completion = source.Source
            .SelectAsync(options.BatchesInFlight, batch => ApplyAsync(batch, routes))
            .RunForeach(StoreOffsets, system.Materializer());
        completion.ContinueWith(OnStreamEnded, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        source.Start();
        logger.LogInformation("Consuming {Topics} as group {Group}, {Batch} commands a batch, {InFlight} batches in flight",
            string.Join(", ", routes.Keys), options.GroupId, options.MaxBatch, options.BatchesInFlight);
        return Task.CompletedTask;
    }

    /// <summary>Stops reading, lets the batches in flight finish and store their offsets, then leaves the group (committing them).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        stopping = true;
        if (source is null || consumer is null || completion is null)
        {
            return;
        }
        readiness.KafkaStopped();
        await Task.Run(source.Stop, CancellationToken.None);
        try
        {
            await completion.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Their offsets stay unstored: the next owner of those partitions applies them again, idempotently.
            logger.LogWarning("Commands still in flight when the shutdown timeout passed are left to the next consumer");
        }
        catch (Exception e)
        {
            logger.LogError(e, "The command stream ended with an error");
        }
        consumer.Close();
        consumer.Dispose();
        source.Dispose();
        logger.LogInformation("Stored offsets committed; left consumer group {Group}", kafkaOptions.Value.GroupId);
    }

    /// <summary>
    /// The stream ends on its own only when something broke (the consumer failed): this node then holds partitions it
    /// no longer reads. It says so, stops being ready, and stops, so that its partitions move to a node that reads them.
    /// </summary>
    private void OnStreamEnded(Task ended)
    {
        if (stopping)
        {
            return;
        }
        readiness.KafkaStopped();
        logger.LogCritical(ended.Exception, "The command stream stopped unexpectedly; stopping the node so its partitions move");
        lifetime.StopApplication();
    }

    private async Task<ConsumeResult<string?, byte[]>[]> ApplyAsync(ConsumeResult<string?, byte[]>[] batch, IReadOnlyDictionary<string, Route> routes)
    {
        var started = Stopwatch.GetTimestamp();
        var applying = new Task[batch.Length];
        for (var i = 0; i < batch.Length; i++)
        {
            applying[i] = ApplyAsync(batch[i], routes[batch[i].Topic]);
        }
        await Task.WhenAll(applying);
        metrics.KafkaBatch(Stopwatch.GetElapsedTime(started));
        return batch;
    }

    /// <summary>
    /// One command, until it has an answer that can be given: applied, refused, failed, or given up on. Whatever goes
    /// wrong with one message (a bug in a parser, say) dead-letters that message: it must never stop the partition.
    /// </summary>
    private async Task ApplyAsync(ConsumeResult<string?, byte[]> message, Route route)
    {
        try
        {
            await ApplyOrDeadLetterAsync(message, route);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Applying {Source} failed", message.TopicPartitionOffset);
            metrics.KafkaCommand(message.Topic, "failed");
            await DeadLetterAsync(message, "internal_error", $"{e.GetType().Name}: {e.Message}");
            await ReplyAsync(message, CommandReplies.Refused(CommandReplies.CommandFailed, e.Message));
        }
    }

    private async Task ApplyOrDeadLetterAsync(ConsumeResult<string?, byte[]> message, Route route)
    {
        var topic = message.Topic;
        var parsed = route.Module.ParseCommand(message.Message.Value, services);
        if (parsed.Message is not { } command)
        {
            metrics.KafkaCommand(topic, "invalid");
            await DeadLetterAsync(message, "invalid", parsed.Error!);
            await ReplyAsync(message, CommandReplies.Refused(CommandReplies.ValidationFailed, parsed.Error!));
            return;
        }
        if (command is IAnsweredAtOnce answered)
        {
            metrics.KafkaCommand(topic, answered.Reply is CommandAccepted ? "accepted" : "rejected");
            await ReplyAsync(message, CommandReplies.Of(answered.Reply));
            return;
        }
        var timeout = nodeOptions.Value.AskTimeout;
        var attempts = kafkaOptions.Value.MaxAttempts;
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            object? answer;
            var asked = Stopwatch.GetTimestamp();
            try
            {
                answer = await route.Region.Ask<object>(command, timeout);
                metrics.Asked(route.Module.TypeName, Stopwatch.GetElapsedTime(asked));
            }
            catch (AskTimeoutException)
            {
                metrics.AskTimedOut(route.Module.TypeName);
                continue;
            }
            switch (answer)
            {
                case CommandUnavailable:
                    continue;
                case CommandFailed failed:
                    metrics.KafkaCommand(topic, "failed");
                    await DeadLetterAsync(message, "entity_failed", $"the entity failed on it and restarted from its journal: {failed.Reason}");
                    await ReplyAsync(message, CommandReplies.Of(failed));
                    return;
                case CommandReply reply:
                    metrics.KafkaCommand(topic, reply is CommandAccepted ? "accepted" : "rejected");
                    await ReplyAsync(message, CommandReplies.Of(reply));
                    return;
                default:
                    throw new InvalidOperationException($"unexpected answer {answer.GetType().Name} to a command of {topic}");
            }
        }
        metrics.KafkaCommand(topic, "unanswered");
        var why = $"no answer after {attempts} attempts of {timeout.TotalSeconds:0.#} s; it may have been applied: send it again with the same request id";
        await DeadLetterAsync(message, "unanswered", why);
        await ReplyAsync(message, CommandReplies.Refused(CommandReplies.Timeout, why));
    }

    private async Task ReplyAsync(ConsumeResult<string?, byte[]> message, byte[] reply)
    {
        var replyTo = CohortHeaders.Get(message.Message.Headers, CohortHeaders.ReplyTo);
        if (replyTo is null)
        {
            return;
        }
        try
        {
            await producer.SendAsync(replyTo, CohortHeaders.Get(message.Message.Headers, CohortHeaders.CorrelationId), reply, CancellationToken.None);
        }
        catch (ProduceException<string?, byte[]> e)
        {
            // The command is applied; its asker times out and asks again, and is answered the same.
            logger.LogWarning("Could not answer {Source} on {ReplyTo}: {Reason}", message.TopicPartitionOffset, replyTo, e.Error.Reason);
        }
    }

    /// <summary>Puts a command on <c>&lt;topic&gt;.dlq</c> with why and where it was read, before its offset moves past it.</summary>
    private async Task DeadLetterAsync(ConsumeResult<string?, byte[]> message, string kind, string reason)
    {
        metrics.DeadLettered(message.Topic, kind);
        logger.LogWarning("Dead-lettering {Source}: {Reason}", message.TopicPartitionOffset, reason);
        // The message's own headers first (an earlier dead letter's reason and source dropped), so that the last
        // reason and source, which readers take, are this failure's.
        var headers = new Headers();
        foreach (var header in message.Message.Headers ?? [])
        {
            if (header.Key is not (CohortHeaders.DeadLetterReason or CohortHeaders.DeadLetterSource))
            {
                headers.Add(header.Key, header.GetValueBytes());
            }
        }
        headers.Add(CohortHeaders.DeadLetterReason, Encoding.UTF8.GetBytes(reason));
        headers.Add(CohortHeaders.DeadLetterSource, Encoding.UTF8.GetBytes(message.TopicPartitionOffset.ToString()));
        while (true)
        {
            try
            {
                await producer.SendAsync($"{message.Topic}.dlq", message.Message.Key, message.Message.Value, CancellationToken.None, headers);
                return;
            }
            catch (ProduceException<string?, byte[]> e)
            {
                // The offset must not pass a command that is neither applied nor dead-lettered.
                logger.LogError("Could not dead-letter {Source}: {Reason}; retrying", message.TopicPartitionOffset, e.Error.Reason);
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }

    private void StoreOffsets(ConsumeResult<string?, byte[]>[] batch)
    {
        foreach (var last in batch.GroupBy(m => m.TopicPartition).Select(g => g.MaxBy(m => m.Offset.Value)!))
        {
            try
            {
                consumer!.StoreOffset(new TopicPartitionOffset(last.TopicPartition, last.Offset + 1));
            }
            catch (KafkaException e)
            {
                // The partition moved to another node while the batch was in flight: it reads these commands again,
                // and their entities answer them as before.
                logger.LogInformation("Offset {Offset} of {Partition} not stored: {Reason}", last.Offset + 1, last.TopicPartition, e.Error.Reason);
            }
        }
    }

    private static string Describe(IEnumerable<TopicPartition> partitions) =>
        string.Join("; ", partitions.GroupBy(p => p.Topic).Select(g => $"{g.Key} [{string.Join(",", g.Select(p => p.Partition.Value).Order())}]"));

    private sealed record Route(EntityModule Module, IActorRef Region);
}
