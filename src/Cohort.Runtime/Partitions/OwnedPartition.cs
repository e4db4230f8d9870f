namespace Cohort.Runtime.Partitions;

/// <summary>A partition this node owns, as shown by health and admin endpoints.</summary>
public readonly record struct OwnedPartition(string Topic, int Partition, long Epoch, bool Recovering);
