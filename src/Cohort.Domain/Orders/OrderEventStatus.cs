namespace Cohort.Domain.Orders;

/// <summary>
/// The status an order is in right after an event, from the event alone: what <see cref="Order.Evolve"/> moves it
/// to. Read sides (the orders table, the order events on Kafka) fold an order's events without its state.
/// </summary>
public static class OrderEventStatus
{
    public static OrderStatus Of(OrderEvent e) => e switch
    {
        OrderPlaced => OrderStatus.Reserving,
        OrderReserved => OrderStatus.AwaitingPayment,
        OrderRejected => OrderStatus.Rejected,
        PaymentStarted => OrderStatus.Freezing,
        PaymentRefused => OrderStatus.AwaitingPayment,
        FundsFrozen => OrderStatus.Confirming,
        UnitsSold => OrderStatus.Settling,
        OrderPaid => OrderStatus.Paid,
        SaleRefused => OrderStatus.Unfreezing,
        ReleaseStarted => OrderStatus.Releasing,
        OrderClosed c => c.Expired ? OrderStatus.Expired : OrderStatus.Cancelled,
        OrderFailed => OrderStatus.Failed,
        _ => throw new ArgumentOutOfRangeException(nameof(e), e, "unknown order event"),
    };
}
