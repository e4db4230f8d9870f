namespace Cohort.Cluster.Entities.Stock;

/// <summary>The stock shard region, as the actor registry knows it.</summary>
public sealed class StockRegion
{
    /// <summary>Names its shard region, its journal's persistence ids and its topics (<c>cohort.commands.stock</c>).</summary>
    public const string TypeName = "stock";
}
