namespace Cohort.Domain.Carts;

/// <summary>The order a checkout makes of one line: its deterministic id (<see cref="Cart.OrderId"/>), the product and the units.</summary>
public sealed record CartOrder(string OrderId, string Sku, long Quantity);
