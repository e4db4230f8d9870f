namespace Cohort.Runtime.Ask;

/// <summary>
/// Hands a command straight to this node's processor of the entity's partition, when this node owns it, so an
/// ask skips the two Kafka hops to itself.
/// </summary>
public interface ILocalDelivery
{
    /// <returns>
    /// The owner's result, or null when this node does not own the partition or its inbox is full: the command
    /// then goes through Kafka. The task fails with <see cref="PartitionReleasedException"/> when the partition
    /// is released before the command is committed.
    /// </returns>
    Task<string>? TryDeliver(string entityType, string entityId, byte[] command);
}
