using Cohort.Domain;

namespace Cohort.Cluster.Entities.Orders;

/// <summary>A flash sale's orders: one per account and SKU, so the order's id is made of both.</summary>
public static class FlashSaleOrders
{
    public static string IdOf(string sku, string accountId) => DerivedId.Of("flash", sku, accountId);
}
