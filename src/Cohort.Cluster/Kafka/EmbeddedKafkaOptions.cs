namespace Cohort.Cluster.Kafka;

/// <summary>The shape of an <see cref="EmbeddedKafka"/> cluster.</summary>
public sealed class EmbeddedKafkaOptions
{
    public int Brokers { get; init; } = 3;

    /// <summary>Partitions of each command and event topic; the alert and dead-letter topics have one.</summary>
    public int Partitions { get; init; } = 8;
}
