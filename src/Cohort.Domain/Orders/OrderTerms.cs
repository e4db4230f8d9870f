namespace Cohort.Domain.Orders;

/// <summary>What an order buys and for whom. Its price is learned from the stock when the units are reserved.</summary>
public sealed record OrderTerms(string AccountId, string Sku, long Quantity);
