using Akka.Persistence.Query;

namespace Cohort.Cluster.Persistence.Projections;

/// <summary>
/// A read side built from the journal: it reads every journal record in journal order from its stored offset and
/// handles them in batches. It must store its new offset only once the batch's effect is durable (in the same
/// transaction, when it writes PostgreSQL), so a restart resumes there and applies nothing twice but the batch
/// in flight.
/// </summary>
public interface IProjection
{
    /// <summary>Names its row in <c>projection_offsets</c>, its singleton and its lag metric.</summary>
    string Name { get; }

    /// <summary>The ordering of the last journal record it handled; 0 before the first.</summary>
    Task<long> ReadOffsetAsync(CancellationToken ct);

    /// <param name="batch">Records in journal order, Cohort's and Akka's own (sharding state) alike.</param>
    /// <param name="offset">The ordering of the batch's last record: the offset to store.</param>
    Task HandleAsync(IReadOnlyList<EventEnvelope> batch, long offset, CancellationToken ct);
}
