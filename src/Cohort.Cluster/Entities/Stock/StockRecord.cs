using Cohort.Domain.Stock;

namespace Cohort.Cluster.Entities.Stock;

/// <summary>
/// One product event as the journal holds it, with the product's units right after it, so that a journal row
/// alone tells where the product stood.
/// </summary>
public sealed record StockRecord(Stamp Stamp, StockEvent Event, StockUnits After) : IEventRecord<StockEvent>;
