namespace Cohort.Cluster.Entities.Orders;

/// <summary>A flash sale's orders: one per account and SKU, so the order's id is made of both.</summary>
public static class FlashSaleOrders
{
    /// <summary><c>flash:&lt;sku&gt;:&lt;accountId&gt;</c>; too long for an id when both are near their limit, which the order refuses.</summary>
    public static string IdOf(string sku, string accountId) => $"flash:{sku}:{accountId}";
}
