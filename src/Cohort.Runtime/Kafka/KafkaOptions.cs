namespace Cohort.Runtime.Kafka;

/// <summary>Settings of the Kafka clients (section <c>Cohort:Kafka</c>).</summary>
public sealed class KafkaOptions
{
    public const string Section = "Cohort:Kafka";

    public string BootstrapServers { get; set; } = "127.0.0.1:9092";

    /// <summary>The consumer group whose members share the partitions, and so the entities.</summary>
    public string GroupId { get; set; } = "cohort";

    /// <summary>
    /// How long a silent member keeps its partitions. A killed node's entities move after this long, so it
    /// bounds failover time; too short and a GC pause costs a rebalance.
    /// </summary>
    public int SessionTimeoutMs { get; set; } = 10_000;

    public int HeartbeatIntervalMs { get; set; } = 1_000;

    /// <summary>Producer linger: a larger value batches more messages, a smaller one answers sooner.</summary>
    public int LingerMs { get; set; } = 5;

    /// <summary>
    /// Linger of the producer that publishes events. Nobody's answer waits on an event, and batching them saves
    /// most of what sending costs the node (a produce request per partition every <see cref="LingerMs"/>).
    /// </summary>
    public int EventLingerMs { get; set; } = 50;
}
