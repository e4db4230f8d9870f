namespace Cohort.Runtime.Persistence;

/// <summary>Another node took the partition over: this node's epoch is stale and it must write nothing more.</summary>
public sealed class PartitionFencedException(string topic, int partition, long epoch, Exception? inner = null)
    : Exception($"partition {topic}/{partition} is fenced: epoch {epoch} is no longer the owner's", inner)
{
    public const string SqlState = "CF001";

    public string Topic => topic;

    public int Partition => partition;

    public long Epoch => epoch;
}
