using Cohort.Cluster.Kafka;

namespace Cohort.Testing;

/// <summary>
/// xunit fixture for the in-process Kafka mock cluster, with Cohort's topics. One cluster serves the whole test
/// process; it is never disposed, because it is memory inside this process and ends with it.
/// </summary>
public sealed class KafkaCluster
{
    private static readonly Lazy<EmbeddedKafka> Shared =
        new(() => EmbeddedKafka.Start(new EmbeddedKafkaOptions()), LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Dictionary<string, int> NamedTopics = new(StringComparer.Ordinal);

    public KafkaCluster() => BootstrapServers = Shared.Value.BootstrapServers;

    public string BootstrapServers { get; }

    /// <summary>
    /// Creates a topic no other test uses, since all tests share the cluster and its Cohort topics.
    /// </summary>
    /// <returns>The topic's name, <paramref name="prefix"/> followed by a unique suffix.</returns>
    public string CreateTopic(string prefix, int partitions)
    {
        var topic = $"{prefix}.{Guid.NewGuid():N}";
        Shared.Value.CreateTopic(topic, partitions);
        return topic;
    }

    /// <summary>
    /// Creates a topic under exactly this name, once per test process: for a name the code under test derives
    /// itself, such as <c>cohort.commands.&lt;type&gt;</c> of a test-only entity type. Every test that asks for it
    /// shares it, so each must tell its own messages apart.
    /// </summary>
    /// <returns><paramref name="topic"/>.</returns>
    public string CreateNamedTopic(string topic, int partitions)
    {
        lock (NamedTopics)
        {
            if (NamedTopics.TryGetValue(topic, out var existing))
            {
                return existing == partitions
                    ? topic
                    : throw new InvalidOperationException($"topic {topic} was already created with {existing} partition(s), not {partitions}");
            }
            Shared.Value.CreateTopic(topic, partitions);
            NamedTopics[topic] = partitions;
            return topic;
        }
    }
}
