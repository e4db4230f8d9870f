using Cohort.Domain.Orders;
using static Cohort.Domain.Tests.Orders.OrderHistory;

namespace Cohort.Domain.Tests.Orders;

/// <summary>Every command of an order in every status: what it starts, what it refuses, and what it leaves alone.</summary>
public class OrderDecideTests
{
    private static PlaceOrder Place(OrderTerms? terms = null, DateTime? deadline = null, bool flashSale = false) =>
        new(terms ?? Terms, PlacedAt, deadline ?? Deadline, flashSale);

    private static void Accepted(OrderState state, OrderCommand command, params OrderEvent[] events)
    {
        var decision = Order.Decide(state, command);
        Assert.Null(decision.Rejection);
        Assert.Equal(events, decision.Events);
    }

    private static void Rejected(OrderState state, OrderCommand command, string code)
    {
        var decision = Order.Decide(state, command);
        Assert.Equal(code, decision.Rejection?.Code);
        Assert.Empty(decision.Events);
    }

    private static void Unchanged(OrderState state, OrderCommand command) => Accepted(state, command);

    [Fact]
    public void A_valid_order_is_placed_with_its_terms_and_deadline()
    {
        Accepted(At("None"), Place(), new OrderPlaced(Terms, PlacedAt, Deadline));
        var placed = At("Reserving");
        Assert.Equal((OrderStatus.Reserving, Terms, PlacedAt, Deadline, 0m, 0), (placed.Status, placed.Terms, placed.PlacedAt, placed.Deadline, placed.Price, placed.PaymentAttempts));
        Assert.Equal(OrderStep.Reserve, placed.PendingStep);
    }

    [Fact]
    public void The_largest_quantity_is_allowed() =>
        Accepted(At("None"), Place(Terms with { Quantity = OrderRules.MaxQuantity }), new OrderPlaced(Terms with { Quantity = OrderRules.MaxQuantity }, PlacedAt, Deadline));

    [Theory]
    [InlineData("", "mug-1", 1)]
    [InlineData("al ice", "mug-1", 1)]
    [InlineData("alice", "", 1)]
    [InlineData("alice", "mug/1", 1)]
    [InlineData("alice", "mug-1", 0)]
    [InlineData("alice", "mug-1", -1)]
    [InlineData("alice", "mug-1", OrderRules.MaxQuantity + 1)]
    public void An_order_with_invalid_terms_is_refused(string accountId, string sku, long quantity) =>
        Rejected(At("None"), Place(new OrderTerms(accountId, sku, quantity)), RejectionCodes.ValidationFailed);

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void An_order_whose_deadline_is_not_after_it_is_refused(int minutes) =>
        Rejected(At("None"), Place(deadline: PlacedAt.AddMinutes(minutes)), RejectionCodes.ValidationFailed);

    [Theory]
    [MemberData(nameof(PlacedNames), MemberType = typeof(OrderHistory))]
    public void Placing_an_existing_order_again_is_an_idempotency_conflict_or_a_second_flash_purchase(string status)
    {
        Rejected(At(status), Place(), RejectionCodes.IdempotencyConflict);
        // A sale's buyer whose order found no unit keeps hearing why rather than that it bought.
        Rejected(At(status), Place(flashSale: true), status == "Rejected" ? At(status).Reason! : RejectionCodes.AlreadyPurchased);
    }

    [Theory]
    [MemberData(nameof(Names), MemberType = typeof(OrderHistory))]
    public void Pay_starts_a_payment_only_while_awaiting_payment(string status)
    {
        var state = At(status);
        switch (status)
        {
            case "None":
                Rejected(state, new PayOrder(), RejectionCodes.NotFound);
                break;
            case "Reserving":
                Rejected(state, new PayOrder(), RejectionCodes.OrderPending);
                break;
            case "AwaitingPayment":
                Accepted(state, new PayOrder(), new PaymentStarted(1));
                break;
            case "Freezing" or "Confirming" or "Settling" or "Paid":
                Unchanged(state, new PayOrder());
                break;
            default:
                Rejected(state, new PayOrder(), RejectionCodes.OrderClosed);
                break;
        }
    }

    [Fact]
    public void Paying_again_after_a_refused_freeze_starts_the_next_attempt()
    {
        var refused = Evolve(At("Freezing"), new PaymentRefused(RejectionCodes.InsufficientFunds));
        Accepted(refused, new PayOrder(), new PaymentStarted(2));
    }

    [Theory]
    [MemberData(nameof(Names), MemberType = typeof(OrderHistory))]
    public void Cancel_releases_the_units_only_while_awaiting_payment(string status)
    {
        var state = At(status);
        switch (status)
        {
            case "None":
                Rejected(state, new CancelOrder(), RejectionCodes.NotFound);
                break;
            case "Reserving":
                Rejected(state, new CancelOrder(), RejectionCodes.OrderPending);
                break;
            case "AwaitingPayment":
                Accepted(state, new CancelOrder(), new ReleaseStarted(Expired: false));
                break;
            case "Freezing" or "Confirming" or "Settling":
                Rejected(state, new CancelOrder(), RejectionCodes.PaymentInProgress);
                break;
            case "Paid":
                Rejected(state, new CancelOrder(), RejectionCodes.OrderPaid);
                break;
            case "Cancelled" or "Releasing(cancelled)":
                Unchanged(state, new CancelOrder());
                break;
            default:
                Rejected(state, new CancelOrder(), RejectionCodes.OrderClosed);
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Names), MemberType = typeof(OrderHistory))]
    public void Expire_at_the_deadline_releases_the_units_only_while_awaiting_payment(string status)
    {
        var state = At(status);
        switch (status)
        {
            case "None":
                Rejected(state, new ExpireOrder(Deadline), RejectionCodes.NotFound);
                break;
            case "AwaitingPayment":
                Accepted(state, new ExpireOrder(Deadline), new ReleaseStarted(Expired: true));
                Accepted(state, new ExpireOrder(Deadline.AddDays(1)), new ReleaseStarted(Expired: true));
                break;
            default:
                Unchanged(state, new ExpireOrder(Deadline.AddDays(1)));
                break;
        }
    }

    [Fact]
    public void Expire_before_the_deadline_changes_nothing()
    {
        Unchanged(At("AwaitingPayment"), new ExpireOrder(Deadline.AddTicks(-1)));
        Unchanged(At("AwaitingPayment"), new ExpireOrder(PlacedAt));
    }

    [Fact]
    public void An_accepted_reservation_holds_the_units_at_the_stock_price()
    {
        Accepted(At("Reserving"), new StepAnswered(OrderStep.Reserve, 1, true, null, 12.50m, "EUR"), new OrderReserved(12.50m, "EUR"));
        var reserved = Evolve(At("Reserving"), new OrderReserved(12.50m, "EUR"));
        Assert.Equal((OrderStatus.AwaitingPayment, 12.50m, "EUR", 25m), (reserved.Status, reserved.Price, reserved.Asset, reserved.Amount));
    }

    [Theory]
    [InlineData(RejectionCodes.SoldOut, RejectionCodes.SoldOut)]
    [InlineData(RejectionCodes.NotFound, RejectionCodes.NotFound)]
    [InlineData(null, "reserve_refused")]
    public void A_refused_reservation_rejects_the_order_with_its_code(string? code, string reason) =>
        Accepted(At("Reserving"), new StepAnswered(OrderStep.Reserve, 1, false, code), new OrderRejected(reason));

    [Theory]
    [InlineData("0", "EUR")]
    [InlineData("-1", "EUR")]
    [InlineData("1", "")]
    [InlineData("1", "eur")]
    public void A_reservation_accepted_without_a_price_breaks_an_invariant(string price, string asset) =>
        Assert.Throws<InvariantViolationException>(() =>
            Order.Decide(At("Reserving"), new StepAnswered(OrderStep.Reserve, 1, true, null, decimal.Parse(price), asset)));

    [Fact]
    public void A_frozen_amount_moves_on_to_confirm_the_sale()
    {
        Accepted(At("Freezing"), new StepAnswered(OrderStep.Freeze, 1, true, null), new FundsFrozen());
        Assert.Equal(OrderStep.Confirm, At("Confirming").PendingStep);
    }

    [Theory]
    [InlineData(RejectionCodes.InsufficientFunds, RejectionCodes.InsufficientFunds)]
    [InlineData(null, "freeze_refused")]
    public void A_refused_freeze_refuses_the_payment(string? code, string reason) =>
        Accepted(At("Freezing"), new StepAnswered(OrderStep.Freeze, 1, false, code), new PaymentRefused(reason));

    [Fact]
    public void The_freeze_of_a_second_attempt_is_answered_under_that_attempt()
    {
        var second = Evolve(At("Freezing"), new PaymentRefused(RejectionCodes.InsufficientFunds), new PaymentStarted(2));
        Accepted(second, new StepAnswered(OrderStep.Freeze, 2, true, null), new FundsFrozen());
        // The first attempt's refusal, delivered again, is not this attempt's answer.
        Unchanged(second, new StepAnswered(OrderStep.Freeze, 1, false, RejectionCodes.InsufficientFunds));
        Unchanged(second, new StepAnswered(OrderStep.Freeze, 3, true, null));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_confirmation_sells_the_units_or_its_refusal_gives_the_funds_back(bool accepted)
    {
        var decision = Order.Decide(At("Confirming"), new StepAnswered(OrderStep.Confirm, 1, accepted, accepted ? null : RejectionCodes.ReservationNotFound));
        Assert.Equal(accepted ? new UnitsSold() : new SaleRefused(RejectionCodes.ReservationNotFound), Assert.Single(decision.Events));
        Assert.Equal(accepted ? OrderStep.Settle : OrderStep.Unfreeze, Evolve(At("Confirming"), decision.Events.ToArray()).PendingStep);
    }

    [Fact]
    public void A_settled_payment_pays_the_order() =>
        Accepted(At("Settling"), new StepAnswered(OrderStep.Settle, 1, true, null), new OrderPaid());

    [Fact]
    public void A_refused_settlement_fails_the_order_naming_the_code()
    {
        var decision = Order.Decide(At("Settling"), new StepAnswered(OrderStep.Settle, 1, false, RejectionCodes.InsufficientFrozen));
        var failed = Assert.IsType<OrderFailed>(Assert.Single(decision.Events));
        Assert.Contains(RejectionCodes.InsufficientFrozen, failed.Reason);
    }

    [Theory]
    [InlineData(true, "the funds were given back")]
    [InlineData(false, "refused to give the funds back: insufficient_frozen")]
    public void An_unfreeze_answer_fails_the_order_saying_where_the_funds_are(bool accepted, string says)
    {
        var decision = Order.Decide(At("Unfreezing"), new StepAnswered(OrderStep.Unfreeze, 1, accepted, accepted ? null : RejectionCodes.InsufficientFrozen));
        var failed = Assert.IsType<OrderFailed>(Assert.Single(decision.Events));
        Assert.Contains(says, failed.Reason);
        Assert.Contains(RejectionCodes.ReservationNotFound, failed.Reason);
    }

    [Theory]
    [InlineData("Releasing(cancelled)", true, false)]
    [InlineData("Releasing(cancelled)", false, false)]
    [InlineData("Releasing(expired)", true, true)]
    [InlineData("Releasing(expired)", false, true)]
    public void A_release_answer_closes_the_order_accepted_or_not(string status, bool accepted, bool expired) =>
        Accepted(At(status), new StepAnswered(OrderStep.Release, 1, accepted, accepted ? null : RejectionCodes.ReservationNotFound), new OrderClosed(expired));

    public static TheoryData<string, OrderStep, bool> LateAnswers()
    {
        var data = new TheoryData<string, OrderStep, bool>();
        foreach (var status in OrderHistory.Paths.Keys.Where(name => name != "None"))
        {
            foreach (var step in Enum.GetValues<OrderStep>().Where(step => step != At(status).PendingStep))
            {
                data.Add(status, step, true);
                data.Add(status, step, false);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(LateAnswers))]
    public void An_answer_to_a_step_the_order_does_not_wait_on_changes_nothing(string status, OrderStep step, bool accepted) =>
        Unchanged(At(status), new StepAnswered(step, 1, accepted, accepted ? null : RejectionCodes.InsufficientFunds, 2.50m, "EUR"));

    [Fact]
    public void A_duplicate_answer_after_the_order_moved_on_changes_nothing()
    {
        Unchanged(At("AwaitingPayment"), new StepAnswered(OrderStep.Reserve, 1, true, null, 2.50m, "EUR"));
        Unchanged(At("Confirming"), new StepAnswered(OrderStep.Freeze, 1, true, null));
        Unchanged(At("Paid"), new StepAnswered(OrderStep.Settle, 1, true, null));
        Unchanged(At("Cancelled"), new StepAnswered(OrderStep.Release, 1, true, null));
    }

    [Fact]
    public void A_step_answer_for_an_order_never_placed_is_not_found() =>
        Rejected(At("None"), new StepAnswered(OrderStep.Reserve, 1, true, null, 1m, "EUR"), RejectionCodes.NotFound);
}
