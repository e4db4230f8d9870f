using Cohort.Runtime.Kafka;
using Cohort.Runtime.Persistence;

namespace Cohort.Runtime.Singleton;

/// <summary>
/// This node's hold on the singleton partition. A service that writes checks <see cref="IsCurrentAsync"/> (or
/// fences its transaction with <see cref="Epoch"/>) so that a node that lost the partition writes nothing.
/// </summary>
public sealed class SingletonLease(long epoch, PartitionEpochs epochs)
{
    public long Epoch { get; } = epoch;

    public Task<bool> IsCurrentAsync(CancellationToken ct) => epochs.IsCurrentAsync(CohortTopics.Singleton, 0, Epoch, ct);
}
