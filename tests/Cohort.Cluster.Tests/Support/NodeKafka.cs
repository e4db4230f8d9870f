using System.Diagnostics;
using System.Text;
using Confluent.Kafka;

namespace Cohort.Cluster.Tests.Support;

/// <summary>
/// What the tests do on the shared Kafka mock around a node: produce commands as a client would, read a topic up to
/// its end as it is now, and look at a consumer group's committed offsets.
/// </summary>
internal sealed class NodeKafka(string bootstrapServers) : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    private readonly Lazy<IProducer<string?, byte[]>> producer = new(() =>
        new ProducerBuilder<string?, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 0,
        }).Build());

    public string BootstrapServers { get; } = bootstrapServers;

    public Task<DeliveryResult<string?, byte[]>> ProduceAsync(
        string topic, string? key, string value, IReadOnlyDictionary<string, string>? headers = null, int? partition = null) =>
        ProduceAsync(topic, key, Encoding.UTF8.GetBytes(value), headers, partition);

    /// <summary>A value as raw bytes, which need not be text at all.</summary>
    public Task<DeliveryResult<string?, byte[]>> ProduceAsync(
        string topic, string? key, byte[] value, IReadOnlyDictionary<string, string>? headers = null, int? partition = null)
    {
        var message = new Message<string?, byte[]> { Key = key, Value = value, Headers = Headers(headers) };
        return partition is { } p
            ? producer.Value.ProduceAsync(new TopicPartition(topic, p), message)
            : producer.Value.ProduceAsync(topic, message);
    }

    public IReadOnlyList<int> Partitions(string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build();
        var metadata = admin.GetMetadata(topic, RequestTimeout).Topics.Single();
        if (metadata.Error.IsError)
        {
            throw new InvalidOperationException($"no metadata for {topic}: {metadata.Error.Reason}");
        }
        return metadata.Partitions.Select(p => p.PartitionId).Order().ToList();
    }

    /// <summary>Where each partition of <paramref name="topic"/> ends right now: the offset the next message gets.</summary>
    public IReadOnlyList<TopicPartitionOffset> Ends(string topic)
    {
        using var consumer = Consumer($"cohort-test-ends-{Guid.NewGuid():N}");
        return Partitions(topic)
            .Select(p => new TopicPartitionOffset(topic, p, consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), RequestTimeout).High))
            .ToList();
    }

    /// <summary>
    /// Every message of <paramref name="topic"/> up to where it ends now, in offset order per partition. The topic
    /// is shared by every test of the run, so callers pick theirs out by key or header.
    /// </summary>
    public IReadOnlyList<ConsumeResult<string?, byte[]>> ReadToEnd(string topic, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        using var consumer = Consumer($"cohort-test-reader-{Guid.NewGuid():N}");
        var next = new Dictionary<int, long>();
        var ends = new Dictionary<int, long>();
        foreach (var partition in Partitions(topic))
        {
            var marks = consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), RequestTimeout);
            next[partition] = marks.Low.Value;
            ends[partition] = marks.High.Value;
        }
        consumer.Assign(next.Where(p => p.Value < ends[p.Key]).Select(p => new TopicPartitionOffset(topic, p.Key, p.Value)));
        var messages = new List<ConsumeResult<string?, byte[]>>();
        var clock = Stopwatch.StartNew();
        while (next.Any(p => p.Value < ends[p.Key]))
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"{topic} not read to its end within {limit.TotalSeconds:0} s: " +
                    string.Join(", ", next.Select(p => $"[{p.Key}] at {p.Value} of {ends[p.Key]}")));
            }
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } result && result.Offset.Value < ends[result.Partition.Value])
            {
                messages.Add(result);
                next[result.Partition.Value] = result.Offset.Value + 1;
            }
        }
        return messages;
    }

    /// <summary>
    /// Commits, for a group nobody has used yet, the current ends of <paramref name="topics"/>. The node consumes
    /// from the earliest offset when its group has none; on topics every test class shares, it would otherwise apply
    /// the commands of the classes that ran before it (into its own database, and publish their events again).
    /// </summary>
    public void StartGroupAtEnd(string groupId, IEnumerable<string> topics)
    {
        var ends = topics.SelectMany(Ends).ToList();
        using var consumer = Consumer(groupId);
        consumer.Commit(ends);
    }

    /// <summary>The offsets <paramref name="groupId"/> has committed on these partitions (Offset.Unset where none).</summary>
    public IReadOnlyList<TopicPartitionOffset> Committed(string groupId, IEnumerable<TopicPartition> partitions)
    {
        using var consumer = Consumer(groupId);
        return consumer.Committed(partitions, RequestTimeout);
    }

    /// <summary>
    /// Waits until <paramref name="groupId"/> has committed at least <paramref name="ends"/>: the node stores an
    /// offset only once every command before it is answered or dead-lettered, so by then nothing is left to do.
    /// </summary>
    public Task WaitUntilCommittedAsync(string groupId, IReadOnlyCollection<TopicPartitionOffset> ends, TimeSpan timeout) =>
        NodeWait.UntilAsync(
            () => Task.Run(() => Committed(groupId, ends.Select(e => e.TopicPartition))),
            committed => ends.All(e => committed.Single(c => c.TopicPartition == e.TopicPartition).Offset.Value >= e.Offset.Value),
            timeout,
            committed => $"group {groupId} committed {string.Join(", ", committed.Select(c => $"[{c.Partition.Value}]@{c.Offset.Value}"))}, " +
                $"needs {string.Join(", ", ends.Select(e => $"[{e.Partition.Value}]@{e.Offset.Value}"))}");

    public void Dispose()
    {
        if (producer.IsValueCreated)
        {
            producer.Value.Flush(RequestTimeout);
            producer.Value.Dispose();
        }
    }

    public static string? Header(ConsumeResult<string?, byte[]> message, string name) =>
        message.Message.Headers is { } headers && headers.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;

    public static string Text(ConsumeResult<string?, byte[]> message) => Encoding.UTF8.GetString(message.Message.Value);

    private IConsumer<string?, byte[]> Consumer(string groupId) =>
        new ConsumerBuilder<string?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = BootstrapServers,
            GroupId = groupId,
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();

    private static Headers? Headers(IReadOnlyDictionary<string, string>? headers)
    {
        if (headers is null)
        {
            return null;
        }
        var result = new Headers();
        foreach (var (name, value) in headers)
        {
            result.Add(name, Encoding.UTF8.GetBytes(value));
        }
        return result;
    }
}
