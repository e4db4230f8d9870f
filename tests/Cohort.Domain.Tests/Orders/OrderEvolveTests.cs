using Cohort.Domain.Orders;
using static Cohort.Domain.Tests.Orders.OrderHistory;

namespace Cohort.Domain.Tests.Orders;

/// <summary>Evolve applies each event only in the status that allows it, and the paths through an order end where they should.</summary>
public class OrderEvolveTests
{
    /// <summary>One sample of every event, and the statuses (by history name) that allow it.</summary>
    private static readonly (OrderEvent Event, string[] AllowedIn)[] Events =
    [
        (Placed(), ["None"]),
        (Reserved(), ["Reserving"]),
        (new OrderRejected(RejectionCodes.SoldOut), ["Reserving"]),
        (new PaymentStarted(1), ["AwaitingPayment"]),
        (new PaymentRefused(RejectionCodes.InsufficientFunds), ["Freezing"]),
        (new FundsFrozen(), ["Freezing"]),
        (new UnitsSold(), ["Confirming"]),
        (new OrderPaid(), ["Settling"]),
        (new SaleRefused(RejectionCodes.ReservationNotFound), ["Confirming"]),
        (new ReleaseStarted(Expired: false), ["AwaitingPayment"]),
        (new ReleaseStarted(Expired: true), ["AwaitingPayment"]),
        (new OrderClosed(Expired: false), ["Releasing(cancelled)", "Releasing(expired)"]),
        (new OrderClosed(Expired: true), ["Releasing(cancelled)", "Releasing(expired)"]),
        (new OrderFailed("refused"), ["Settling", "Unfreezing"]),
    ];

    public static TheoryData<string, OrderEvent> NotAllowed()
    {
        var data = new TheoryData<string, OrderEvent>();
        foreach (var (e, allowed) in Events)
        {
            foreach (var status in Paths.Keys.Where(status => !allowed.Contains(status)))
            {
                data.Add(status, e);
            }
        }
        return data;
    }

    public static TheoryData<string, OrderEvent> Allowed()
    {
        var data = new TheoryData<string, OrderEvent>();
        foreach (var (e, allowed) in Events)
        {
            foreach (var status in allowed)
            {
                data.Add(status, e);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(NotAllowed))]
    public void An_event_the_status_does_not_allow_throws(string status, OrderEvent @event) =>
        Assert.Throws<InvariantViolationException>(() => Order.Evolve(At(status), @event));

    [Theory]
    [MemberData(nameof(Allowed))]
    public void An_event_the_status_allows_moves_the_order_on(string status, OrderEvent @event) =>
        Assert.NotEqual(At(status).Status, Order.Evolve(At(status), @event).Status);

    [Fact]
    public void A_placement_of_no_units_throws() =>
        Assert.Throws<InvariantViolationException>(() => Order.Evolve(At("None"), new OrderPlaced(Terms with { Quantity = 0 }, PlacedAt, Deadline)));

    [Theory]
    [InlineData("0")]
    [InlineData("-2.50")]
    public void A_reservation_without_a_price_throws(string price) =>
        Assert.Throws<InvariantViolationException>(() => Order.Evolve(At("Reserving"), new OrderReserved(decimal.Parse(price), "EUR")));

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void A_payment_attempt_must_be_the_next_one(int attempt) =>
        Assert.Throws<InvariantViolationException>(() => Order.Evolve(At("AwaitingPayment"), new PaymentStarted(attempt)));

    [Fact]
    public void A_paid_order_went_through_every_payment_step()
    {
        var statuses = new List<OrderStatus>();
        var state = OrderState.New(OrderId);
        foreach (var e in Paths["Paid"])
        {
            state = Order.Evolve(state, e);
            statuses.Add(state.Status);
        }
        Assert.Equal([OrderStatus.Reserving, OrderStatus.AwaitingPayment, OrderStatus.Freezing, OrderStatus.Confirming, OrderStatus.Settling, OrderStatus.Paid], statuses);
        Assert.Equal((2.50m, "EUR", 5m, 1, (string?)null), (state.Price, state.Asset, state.Amount, state.PaymentAttempts, state.Reason));
        Assert.True(state.IsFinal);
        Assert.Null(state.PendingStep);
    }

    [Fact]
    public void Payment_attempts_count_up_and_a_new_attempt_clears_the_last_refusal()
    {
        var refused = Evolve(At("Freezing"), new PaymentRefused(RejectionCodes.InsufficientFunds));
        Assert.Equal((OrderStatus.AwaitingPayment, 1, RejectionCodes.InsufficientFunds), (refused.Status, refused.PaymentAttempts, refused.Reason));

        var second = Evolve(refused, new PaymentStarted(2));
        Assert.Equal((OrderStatus.Freezing, 2, (string?)null), (second.Status, second.PaymentAttempts, second.Reason));

        var paid = Evolve(second, new FundsFrozen(), new UnitsSold(), new OrderPaid());
        Assert.Equal((OrderStatus.Paid, 2, (string?)null), (paid.Status, paid.PaymentAttempts, paid.Reason));
    }

    [Theory]
    [InlineData(false, OrderStatus.Cancelled, Order.CancelledReason)]
    [InlineData(true, OrderStatus.Expired, Order.ExpiredReason)]
    public void A_release_gives_its_reason_and_ends_cancelled_or_expired(bool expired, OrderStatus final, string reason)
    {
        var releasing = Evolve(At("AwaitingPayment"), new ReleaseStarted(expired));
        Assert.Equal((OrderStatus.Releasing, reason, (OrderStep?)OrderStep.Release), (releasing.Status, releasing.Reason, releasing.PendingStep));
        var closed = Evolve(releasing, new OrderClosed(expired));
        Assert.Equal((final, reason), (closed.Status, closed.Reason));
        Assert.True(closed.IsFinal);
    }

    [Fact]
    public void A_release_after_a_refused_payment_replaces_the_refusal_with_its_own_reason()
    {
        var refused = Evolve(At("Freezing"), new PaymentRefused(RejectionCodes.InsufficientFunds));
        Assert.Equal(Order.ExpiredReason, Evolve(refused, new ReleaseStarted(Expired: true)).Reason);
    }

    [Fact]
    public void A_rejected_order_keeps_why_and_holds_nothing()
    {
        var rejected = At("Rejected");
        Assert.Equal((OrderStatus.Rejected, RejectionCodes.SoldOut, 0m), (rejected.Status, rejected.Reason, rejected.Price));
        Assert.True(rejected.IsFinal);
    }

    [Fact]
    public void A_refused_sale_gives_the_funds_back_then_fails_with_the_final_reason()
    {
        var unfreezing = At("Unfreezing");
        Assert.Equal((OrderStatus.Unfreezing, RejectionCodes.ReservationNotFound, (OrderStep?)OrderStep.Unfreeze),
            (unfreezing.Status, unfreezing.Reason, unfreezing.PendingStep));
        var failed = Evolve(unfreezing, new OrderFailed("given back"));
        Assert.Equal((OrderStatus.Failed, "given back"), (failed.Status, failed.Reason));
        Assert.True(failed.IsFinal);
    }
}
