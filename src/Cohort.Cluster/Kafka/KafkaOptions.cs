namespace Cohort.Cluster.Kafka;

/// <summary>Settings of the Kafka clients (section <c>Cohort:Kafka</c>).</summary>
public sealed class KafkaOptions
{
    public const string Section = "Cohort:Kafka";

    public string BootstrapServers { get; set; } = "127.0.0.1:9092";

    /// <summary>The consumer group the nodes share the command topics' partitions in.</summary>
    public string GroupId { get; set; } = "cohort";

    /// <summary>
    /// How long a silent member keeps its partitions: the commands on a killed node's partitions wait this long
    /// before a survivor consumes them. Too short, and a GC pause costs a rebalance.
    /// </summary>
    public int SessionTimeoutMs { get; set; } = 10_000;

    public int HeartbeatIntervalMs { get; set; } = 1_000;

    /// <summary>Producer linger: a larger value batches more messages, a smaller one answers sooner.</summary>
    public int LingerMs { get; set; } = 5;

    /// <summary>
    /// Linger of the producer that publishes events. Nobody's answer waits on an event, and batching them saves most
    /// of what sending costs (a produce request per partition every <see cref="LingerMs"/>).
    /// </summary>
    public int EventLingerMs { get; set; } = 50;

    /// <summary>Consume the command topics. Off, a node still serves HTTP and publishes events.</summary>
    public bool ConsumeCommands { get; set; } = true;

    /// <summary>Commands taken from the consumer at once; their offsets are stored once every one is answered.</summary>
    public int MaxBatch { get; set; } = 500;

    /// <summary>Batches in flight at once; offsets are still stored in order.</summary>
    public int BatchesInFlight { get; set; } = 4;

    /// <summary>
    /// How many times a command is sent to its entity (each waiting <c>Cohort:Node:AskTimeout</c>) before it is put on
    /// the dead-letter topic as unanswered. Covers a failover: a dead node's shards move within about 20 s.
    /// </summary>
    public int MaxAttempts { get; set; } = 6;
}
