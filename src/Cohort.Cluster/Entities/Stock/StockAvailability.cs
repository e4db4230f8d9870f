using Cohort.Cluster.FlashSales;
using Cohort.Domain.Stock;

namespace Cohort.Cluster.Entities.Stock;

/// <summary>
/// What a stock actor last told the sold-out board, and whether its durable state says something else now: a product
/// that exists is sold out with no unit available, available with one or more. The first durable state after
/// recovery is always published, so a board left behind (an "available" lost with a node) is corrected as soon as
/// the product's actor starts anywhere.
/// </summary>
public sealed class StockAvailability
{
    private bool? published;

    /// <returns>The change to publish at <paramref name="seqNr"/>, or null when the board already has it.</returns>
    public AvailabilityChanged? Observe(StockState durable, long seqNr)
    {
        if (!durable.Exists)
        {
            return null;
        }
        var soldOut = durable.Available == 0;
        if (published == soldOut)
        {
            return null;
        }
        published = soldOut;
        return new AvailabilityChanged(durable.Sku, seqNr, soldOut);
    }
}
