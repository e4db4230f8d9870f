using Cohort.Domain.Orders;

namespace Cohort.Domain.Tests.Orders;

/// <summary>The read sides' status after an event is the status <see cref="Order.Evolve"/> moves the order to.</summary>
public class OrderEventStatusTests
{
    private static readonly OrderState Placed = OrderState.New("o-1") with
    {
        Status = OrderStatus.Reserving, Terms = new OrderTerms("alice", "mug-1", 2),
    };

    public static TheoryData<OrderStatus, OrderEvent> Transitions() => new()
    {
        { OrderStatus.None, new OrderPlaced(new OrderTerms("alice", "mug-1", 2), DateTime.UnixEpoch, DateTime.UnixEpoch.AddMinutes(15)) },
        { OrderStatus.Reserving, new OrderReserved(12.50m, "EUR") },
        { OrderStatus.Reserving, new OrderRejected("sold_out") },
        { OrderStatus.AwaitingPayment, new PaymentStarted(1) },
        { OrderStatus.Freezing, new PaymentRefused("insufficient_funds") },
        { OrderStatus.Freezing, new FundsFrozen() },
        { OrderStatus.Confirming, new UnitsSold() },
        { OrderStatus.Confirming, new SaleRefused("reservation_not_found") },
        { OrderStatus.Settling, new OrderPaid() },
        { OrderStatus.Settling, new OrderFailed("settle refused") },
        { OrderStatus.Unfreezing, new OrderFailed("funds given back") },
        { OrderStatus.AwaitingPayment, new ReleaseStarted(Expired: false) },
        { OrderStatus.AwaitingPayment, new ReleaseStarted(Expired: true) },
        { OrderStatus.Releasing, new OrderClosed(Expired: false) },
        { OrderStatus.Releasing, new OrderClosed(Expired: true) },
    };

    [Theory]
    [MemberData(nameof(Transitions))]
    public void The_status_after_an_event_is_the_one_evolve_moves_the_order_to(OrderStatus before, OrderEvent e)
    {
        var state = before == OrderStatus.None ? OrderState.New("o-1") : Placed with { Status = before };

        Assert.Equal(Order.Evolve(state, e).Status, OrderEventStatus.Of(e));
    }
}
