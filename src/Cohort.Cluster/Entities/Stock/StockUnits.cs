using Cohort.Domain.Stock;

namespace Cohort.Cluster.Entities.Stock;

/// <summary>A product's units at one point of its journal.</summary>
public sealed record StockUnits(long Available, long Reserved, long Sold)
{
    public static StockUnits Of(StockState state) => new(state.Available, state.Reserved, state.Sold);
}
