namespace Cohort.Cluster.Entities.Orders;

/// <summary>The order shard region, as the actor registry knows it.</summary>
public sealed class OrderRegion
{
    /// <summary>Names its shard region, its journal's persistence ids and its topics (<c>cohort.commands.order</c>).</summary>
    public const string TypeName = "order";
}
