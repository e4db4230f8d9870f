namespace Cohort.Cluster.Entities.Carts;

/// <summary>The cart shard region, as the actor registry knows it.</summary>
public sealed class CartRegion
{
    /// <summary>Names its shard region, its journal's persistence ids and its topics (<c>cohort.commands.cart</c>).</summary>
    public const string TypeName = "cart";
}
