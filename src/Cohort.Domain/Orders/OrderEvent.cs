namespace Cohort.Domain.Orders;

/// <summary>A change that happened to an order.</summary>
public abstract record OrderEvent;

public sealed record OrderPlaced(OrderTerms Terms, DateTime PlacedAt, DateTime Deadline) : OrderEvent;

/// <summary>The units are held at this price per unit.</summary>
public sealed record OrderReserved(decimal Price, string Asset) : OrderEvent;

/// <summary>Final: the units could not be reserved; nothing is held.</summary>
public sealed record OrderRejected(string Reason) : OrderEvent;

public sealed record PaymentStarted(int Attempt) : OrderEvent;

/// <summary>The account could not freeze the amount; the order awaits payment again.</summary>
public sealed record PaymentRefused(string Reason) : OrderEvent;

public sealed record FundsFrozen : OrderEvent;

public sealed record UnitsSold : OrderEvent;

/// <summary>Final: the units are sold and the funds spent.</summary>
public sealed record OrderPaid : OrderEvent;

/// <summary>The stock would not sell the units after the funds were frozen: the funds go back.</summary>
public sealed record SaleRefused(string Reason) : OrderEvent;

/// <summary>The buyer cancelled, or the deadline passed: the units go back.</summary>
public sealed record ReleaseStarted(bool Expired) : OrderEvent;

/// <summary>Final: cancelled or expired, the units back in stock.</summary>
public sealed record OrderClosed(bool Expired) : OrderEvent;

/// <summary>Final: a step was refused that leaves nothing to compensate with (see the reason).</summary>
public sealed record OrderFailed(string Reason) : OrderEvent;
