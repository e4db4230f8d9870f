using Cohort.Domain.Carts;

namespace Cohort.Cluster.Entities.Carts;

/// <summary>One cart event as the journal holds it. Each event says the whole cart after it, so a row needs nothing more.</summary>
public sealed record CartRecord(Stamp Stamp, CartEvent Event) : IEventRecord<CartEvent>;
