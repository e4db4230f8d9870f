using Confluent.Kafka;

namespace Cohort.Runtime.Partitions;

/// <summary>The owner's worker for one partition it has been assigned.</summary>
internal interface IPartitionProcessor
{
    TopicPartition TopicPartition { get; }

    /// <summary>The epoch this node holds the partition with; 0 until it has been acquired.</summary>
    long Epoch { get; }

    /// <summary>True until the partition has been fenced and is ready to process commands.</summary>
    bool IsRecovering { get; }

    /// <summary>Queues a command; waits while the inbox is full. False when the processor has stopped.</summary>
    bool Enqueue(ConsumeResult<string?, byte[]> message, CancellationToken ct);

    /// <summary>Finishes the batch in flight, then stops. Queued commands stay uncommitted for the next owner.</summary>
    Task StopAsync();
}
