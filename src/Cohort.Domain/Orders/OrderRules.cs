namespace Cohort.Domain.Orders;

/// <summary>The limits of an order.</summary>
public static class OrderRules
{
    public const long MaxQuantity = 1_000_000;

    public static readonly string QuantityRule = $"quantity must be a whole number of units, 1-{MaxQuantity}";
}
