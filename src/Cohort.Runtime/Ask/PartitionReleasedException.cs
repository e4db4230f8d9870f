namespace Cohort.Runtime.Ask;

/// <summary>
/// This node let go of a partition while a command handed to it locally had no committed answer yet. Whatever
/// became of it, sending it again with the same request id through Kafka reaches the new owner safely.
/// </summary>
public sealed class PartitionReleasedException(string topic, int partition)
    : Exception($"partition {topic}/{partition} was released before the command was answered");
