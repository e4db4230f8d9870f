namespace Cohort.Domain.Carts;

/// <summary>One line of a cart: a product and how many units of it.</summary>
public sealed record CartLine(string Sku, long Quantity);
