namespace Cohort.Domain.Orders;

/// <summary>
/// An order: its terms, where it is, and once reserved its price. <see cref="PaymentAttempts"/> counts pay requests,
/// so that each attempt's freeze has its own request id: a refused freeze stays refused under its id.
/// </summary>
public sealed record OrderState(
    string OrderId,
    OrderStatus Status,
    OrderTerms Terms,
    DateTime PlacedAt,
    DateTime Deadline,
    string Asset,
    decimal Price,
    int PaymentAttempts,
    string? Reason)
{
    public static OrderState New(string orderId) =>
        new(orderId, OrderStatus.None, new OrderTerms("", "", 0), NotYet, NotYet, "", 0m, 0, null);

    /// <summary>The times of an order not placed: UTC like every other, so it reads back the same from JSON.</summary>
    private static readonly DateTime NotYet = new(0L, DateTimeKind.Utc);

    /// <summary>What the buyer pays: the reserved price of each unit times the quantity.</summary>
    public decimal Amount => Price * Terms.Quantity;

    public bool IsFinal => Status is OrderStatus.Paid or OrderStatus.Cancelled or OrderStatus.Expired or OrderStatus.Rejected or OrderStatus.Failed;

    public bool IsPaying => Status is OrderStatus.Freezing or OrderStatus.Confirming or OrderStatus.Settling;

    /// <summary>The step this status waits on, if any.</summary>
    public OrderStep? PendingStep => Status switch
    {
        OrderStatus.Reserving => OrderStep.Reserve,
        OrderStatus.Freezing => OrderStep.Freeze,
        OrderStatus.Confirming => OrderStep.Confirm,
        OrderStatus.Settling => OrderStep.Settle,
        OrderStatus.Unfreezing => OrderStep.Unfreeze,
        OrderStatus.Releasing => OrderStep.Release,
        _ => null,
    };
}
