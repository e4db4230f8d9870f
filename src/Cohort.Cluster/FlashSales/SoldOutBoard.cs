using System.Collections.Frozen;

namespace Cohort.Cluster.FlashSales;

/// <summary>
/// This node's knowledge of which products have no unit available, as the cluster's stock actors published it
/// (<see cref="SoldOutReplica"/> keeps it current). A hint for answering <c>sold_out</c> without asking the stock
/// actor: the actor stays the authority, and a product it has published available again leaves the board once that
/// publication reaches this node. Read from any thread.
/// </summary>
public sealed class SoldOutBoard
{
    private volatile FrozenSet<string> soldOut = FrozenSet<string>.Empty;

    public bool IsSoldOut(string sku) => soldOut.Contains(sku);

    /// <summary>How many products the board holds as sold out.</summary>
    public int Count => soldOut.Count;

    internal void Replace(IEnumerable<string> skus) => soldOut = skus.ToFrozenSet(StringComparer.Ordinal);
}
