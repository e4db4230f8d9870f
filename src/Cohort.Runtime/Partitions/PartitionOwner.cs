using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Text;
using Cohort.Runtime.Ask;
using Cohort.Runtime.Entities;
using Cohort.Runtime.Hosting;
using Cohort.Runtime.Kafka;
using Cohort.Runtime.Metrics;
using Cohort.Runtime.Persistence;
using Cohort.Runtime.Singleton;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cohort.Runtime.Partitions;

/// <summary>
/// This node's member of the Kafka consumer group. Kafka decides which partitions it owns; for each one it
/// starts a processor (which fences the partition, then processes its commands) and stops it when Kafka
/// takes the partition away. Owning partition 0 of <c>cohort.singleton</c> makes it run the singletons. Commands
/// this node's own ingress sends to partitions it owns are handed to their processors directly.
/// </summary>
internal sealed class PartitionOwner(
    IEnumerable<IHostedEntity> entities,
    Journal journal,
    GroupCommitter committer,
    PartitionEpochs epochs,
    MessageProducer producer,
    SingletonRunner singletons,
    NodeReadiness readiness,
    RuntimeMetrics metrics,
    IOptions<KafkaOptions> kafka,
    IOptions<PipelineOptions> pipeline,
    IOptions<NodeOptions> node,
    ILoggerFactory loggerFactory) : BackgroundService, IPartitionView, ILocalDelivery
{
    private readonly ILogger logger = loggerFactory.CreateLogger<PartitionOwner>();
    private readonly ConcurrentDictionary<TopicPartition, IPartitionProcessor> processors = new();
    private readonly Dictionary<string, IHostedEntity> byTopic =
        entities.ToDictionary(e => CohortTopics.Commands(e.Name), StringComparer.Ordinal);
    // Read by the ingress threads, written once by the consumer thread before it joins the group.
    private volatile FrozenDictionary<string, int> partitionCounts = FrozenDictionary<string, int>.Empty;
    private IConsumer<string?, byte[]>? consumer;
    private volatile bool assignedOnce;

    public IReadOnlyList<OwnedPartition> Owned =>
        processors.Values
            .Select(p => new OwnedPartition(p.TopicPartition.Topic, p.TopicPartition.Partition.Value, p.Epoch, p.IsRecovering))
            .Concat(singletons.Epoch > 0 ? [new OwnedPartition(CohortTopics.Singleton, 0, singletons.Epoch, false)] : [])
            .OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition)
            .ToList();

    public bool IsRecovering => processors.Values.Any(p => p.IsRecovering);

    public bool HasJoined => assignedOnce;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => ConsumeLoop(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void ConsumeLoop(CancellationToken ct)
    {
        readiness.WaitForMigrations(ct);
        ReadPartitionCounts(ct);
        var options = kafka.Value;
        using var c = new ConsumerBuilder<string?, byte[]>(new ConsumerConfig
            {
                BootstrapServers = options.BootstrapServers,
                GroupId = options.GroupId,
                ClientId = node.Value.NodeId,
                PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
                SessionTimeoutMs = options.SessionTimeoutMs,
                HeartbeatIntervalMs = options.HeartbeatIntervalMs,
                AutoOffsetReset = AutoOffsetReset.Earliest,
                // Offsets move only after the batch is committed in PostgreSQL (StoreOffset); the periodic
                // commit then sends them. Anything past them is replayed, and replays are harmless.
                EnableAutoCommit = true,
                EnableAutoOffsetStore = false,
                AutoCommitIntervalMs = 1000,
                FetchWaitMaxMs = 10,
                SocketNagleDisable = true,
            })
            .SetPartitionsAssignedHandler((_, assigned) => OnAssigned(assigned))
            .SetPartitionsRevokedHandler((c, revoked) => OnRevoked(c, revoked.Select(p => p.TopicPartition), commit: true))
            .SetPartitionsLostHandler((c, lost) => OnRevoked(c, lost.Select(p => p.TopicPartition), commit: false))
            .SetErrorHandler((_, e) => logger.LogWarning("Kafka consumer error {Code}: {Reason}", e.Code, e.Reason))
            .Build();
        consumer = c;
        c.Subscribe(byTopic.Keys.Append(CohortTopics.Singleton));
        readiness.KafkaJoined();
        logger.LogInformation("Node {NodeId} joined consumer group {Group}", node.Value.NodeId, options.GroupId);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                ConsumeResult<string?, byte[]>? message;
                try
                {
                    message = c.Consume(TimeSpan.FromMilliseconds(100));
                }
                catch (ConsumeException e)
                {
                    logger.LogWarning(e, "Consume failed: {Reason}", e.Error.Reason);
                    continue;
                }
                Dispatch(message, ct);
            }
        }
        finally
        {
            // librdkafka 2.0.2 aborts when a cooperative-sticky member closes before its first assignment
            // (fixed upstream in 2.3.0), so a node stopped while joining first waits for the assignment.
            var joinDeadline = DateTime.UtcNow.AddMilliseconds(options.SessionTimeoutMs);
            while (!assignedOnce && DateTime.UtcNow < joinDeadline)
            {
                try
                {
                    Dispatch(c.Consume(TimeSpan.FromMilliseconds(100)), CancellationToken.None);
                }
                catch (ConsumeException e)
                {
                    logger.LogWarning("Consume failed while joining: {Reason}", e.Error.Reason);
                }
            }
            // Close revokes (finishing the batches in flight, committing their offsets) and leaves the group.
            c.Close();
            consumer = null;
            logger.LogInformation("Node {NodeId} left consumer group {Group}", node.Value.NodeId, options.GroupId);
        }
    }

    public Task<string>? TryDeliver(string entityType, string entityId, byte[] command)
    {
        var topic = CohortTopics.Commands(entityType);
        if (!partitionCounts.TryGetValue(topic, out var count))
        {
            return null;
        }
        var partition = Murmur2.Partition(Encoding.UTF8.GetBytes(entityId), count);
        return processors.TryGetValue(new TopicPartition(topic, partition), out var processor)
            ? processor.TrySubmit(new Message<string?, byte[]> { Key = entityId, Value = command })
            : null;
    }

    private void Dispatch(ConsumeResult<string?, byte[]>? message, CancellationToken ct)
    {
        if (message is not null && !message.IsPartitionEOF && processors.TryGetValue(message.TopicPartition, out var processor))
        {
            processor.Enqueue(message, ct);
        }
    }

    private void OnAssigned(List<TopicPartition> assigned)
    {
        assignedOnce = true;
        foreach (var tp in assigned)
        {
            if (tp.Topic == CohortTopics.Singleton)
            {
                if (tp.Partition.Value == 0)
                {
                    singletons.OnAssigned();
                }
                continue;
            }
            var context = new PartitionContext(node.Value.NodeId, partitionCounts[tp.Topic], journal, committer, epochs, producer,
                StoreOffset, pipeline.Value, metrics, loggerFactory);
            processors[tp] = byTopic[tp.Topic].CreateProcessor(tp, context);
        }
        logger.LogInformation("Assigned {Partitions}", string.Join(", ", assigned));
    }

    private void OnRevoked(IConsumer<string?, byte[]> c, IEnumerable<TopicPartition> revoked, bool commit)
    {
        var stopping = new List<Task>();
        var names = new List<string>();
        foreach (var tp in revoked)
        {
            names.Add(tp.ToString());
            if (tp.Topic == CohortTopics.Singleton)
            {
                stopping.Add(singletons.OnRevokedAsync());
            }
            else if (processors.TryRemove(tp, out var processor))
            {
                stopping.Add(processor.StopAsync());
            }
        }
        Task.WaitAll(stopping);
        if (commit)
        {
            try
            {
                c.Commit();
            }
            catch (KafkaException e) when (e.Error.Code == ErrorCode.Local_NoOffset)
            {
            }
            catch (KafkaException e)
            {
                logger.LogWarning("Committing offsets of revoked partitions failed: {Reason}", e.Error.Reason);
            }
        }
        logger.LogInformation("{Action} {Partitions}", commit ? "Revoked" : "Lost", string.Join(", ", names));
    }

    private void StoreOffset(TopicPartitionOffset offset)
    {
        try
        {
            consumer?.StoreOffset(offset);
        }
        catch (KafkaException e)
        {
            // The partition has been revoked meanwhile; its next owner replays from the last committed offset.
            logger.LogDebug("Offset {Offset} not stored: {Reason}", offset, e.Error.Reason);
        }
    }

    private void ReadPartitionCounts(CancellationToken ct)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.Value.BootstrapServers }).Build();
        foreach (var topic in byTopic.Keys)
        {
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                try
                {
                    var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
                    var count = metadata.Topics.SingleOrDefault(t => t.Topic == topic && t.Error.Code == ErrorCode.NoError)?.Partitions.Count ?? 0;
                    if (count > 0)
                    {
                        counts[topic] = count;
                        break;
                    }
                    logger.LogWarning("Topic {Topic} has no partitions yet; create it (see README). Retrying", topic);
                }
                catch (KafkaException e)
                {
                    logger.LogWarning("Reading metadata of {Topic} failed: {Reason}. Retrying", topic, e.Error.Reason);
                }
                ct.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
            }
        }
        partitionCounts = counts.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
