namespace Cohort.Domain.Orders;

public abstract record OrderCommand;

/// <summary>
/// Places the order; it must then be paid by <paramref name="Deadline"/>. A flash-sale order's id stands for its
/// account and SKU, so placing it again is the same buyer buying twice.
/// </summary>
public sealed record PlaceOrder(OrderTerms Terms, DateTime PlacedAt, DateTime Deadline, bool FlashSale) : OrderCommand;

/// <summary>The buyer pays: freeze the amount, sell the units, spend the funds.</summary>
public sealed record PayOrder : OrderCommand;

/// <summary>The buyer drops the order before paying: the units go back.</summary>
public sealed record CancelOrder : OrderCommand;

/// <summary>The deadline passed at <paramref name="Now"/> without a payment: the units go back.</summary>
public sealed record ExpireOrder(DateTime Now) : OrderCommand;

/// <summary>
/// The stock's or the account's answer to one step: accepted, or refused with its code. A freeze's answer names
/// the payment attempt it belongs to; a reservation's answer carries the product's price and asset.
/// </summary>
public sealed record StepAnswered(OrderStep Step, int Attempt, bool Accepted, string? Code, decimal Price = 0m, string Asset = "") : OrderCommand;
