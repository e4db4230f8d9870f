using System.Collections.Concurrent;
using System.Text;
using Cohort.Runtime.Hosting;
using Cohort.Runtime.Kafka;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cohort.Runtime.Ask;

/// <summary>
/// Reads this node's reply topic and completes the asks waiting for each correlation id. It starts reading
/// at the topic's end as of start-up, so it sees every answer to a command sent after it was ready.
/// </summary>
public sealed class ReplyListener(
    IOptions<KafkaOptions> kafka, IOptions<NodeOptions> node, NodeReadiness readiness, ILogger<ReplyListener> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> waiting = new(StringComparer.Ordinal);

    public string Topic => CohortTopics.Replies(node.Value.NodeId);

    internal TaskCompletionSource<string> Expect(string correlationId)
    {
        var answer = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        waiting[correlationId] = answer;
        return answer;
    }

    internal void Forget(string correlationId) => waiting.TryRemove(correlationId, out _);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Listen(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Listen(CancellationToken ct)
    {
        using var consumer = new ConsumerBuilder<string?, byte[]>(new ConsumerConfig
            {
                BootstrapServers = kafka.Value.BootstrapServers,
                GroupId = $"cohort-replies-{node.Value.NodeId}",
                EnableAutoCommit = false,
                AllowAutoCreateTopics = true,
                FetchWaitMaxMs = 5,
                SocketNagleDisable = true,
            })
            .SetErrorHandler((_, e) => logger.LogWarning("Kafka reply consumer error {Code}: {Reason}", e.Code, e.Reason))
            .Build();
        consumer.Assign(StartPositions(consumer, ct));
        readiness.RepliesReady();
        logger.LogInformation("Listening for answers on {Topic}", Topic);
        while (!ct.IsCancellationRequested)
        {
            ConsumeResult<string?, byte[]>? message;
            try
            {
                message = consumer.Consume(TimeSpan.FromMilliseconds(100));
            }
            catch (ConsumeException e)
            {
                logger.LogWarning("Reading answers failed: {Reason}", e.Error.Reason);
                continue;
            }
            if (message?.Message.Key is { } correlationId && waiting.TryRemove(correlationId, out var answer))
            {
                answer.TrySetResult(Encoding.UTF8.GetString(message.Message.Value));
            }
        }
        consumer.Close();
    }

    /// <summary>The reply topic's partitions at their current ends; reading metadata creates the topic where Kafka allows it.</summary>
    private List<TopicPartitionOffset> StartPositions(IConsumer<string?, byte[]> consumer, CancellationToken ct)
    {
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                var topic = admin.GetMetadata(Topic, TimeSpan.FromSeconds(10)).Topics.SingleOrDefault(t => t.Topic == Topic);
                if (topic is { Partitions.Count: > 0 } && topic.Error.Code == ErrorCode.NoError)
                {
                    return topic.Partitions
                        .Select(p => new TopicPartition(Topic, p.PartitionId))
                        .Select(tp => new TopicPartitionOffset(tp, consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10)).High))
                        .ToList();
                }
                logger.LogWarning("Reply topic {Topic} is not available yet ({Error}); retrying", Topic, topic?.Error.Reason);
            }
            catch (KafkaException e)
            {
                logger.LogWarning("Preparing reply topic {Topic} failed: {Reason}; retrying", Topic, e.Error.Reason);
            }
            ct.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
        }
    }
}
