namespace Cohort.Domain.Orders;

/// <summary>The order statuses clients see: the three payment steps show as one.</summary>
public static class OrderStatusNames
{
    public static string Of(OrderStatus status) => status switch
    {
        OrderStatus.Reserving => "reserving",
        OrderStatus.AwaitingPayment => "awaiting_payment",
        OrderStatus.Freezing or OrderStatus.Confirming or OrderStatus.Settling => "paying",
        OrderStatus.Unfreezing => "refunding",
        OrderStatus.Releasing => "releasing",
        OrderStatus.Paid => "paid",
        OrderStatus.Cancelled => "cancelled",
        OrderStatus.Expired => "expired",
        OrderStatus.Rejected => "rejected",
        OrderStatus.Failed => "failed",
        _ => "none",
    };
}
