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

    /// <summary>
    /// Queues a command handed over by this node's ingress, without waiting. Null when the inbox is full or the
    /// processor has stopped.
    /// </summary>
    Task<string>? TrySubmit(Message<string?, byte[]> message);

    /// <summary>
    /// Finishes the batch in flight, then stops. Queued Kafka commands stay uncommitted for the next owner; queued
    /// local ones fail with <see cref="Ask.PartitionReleasedException"/>.
    /// </summary>
    Task StopAsync();
}
