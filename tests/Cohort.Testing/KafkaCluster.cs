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
}
