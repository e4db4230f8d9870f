namespace Cohort.Domain.Orders;

/// <summary>
/// The order process (try / confirm / cancel): reserve the units; then either pay (freeze the amount, sell the
/// units, spend the funds) or give the units back (cancelled, or expired at the deadline). Decide answers a command
/// with events or a rejection; an answer to a step the order no longer waits on changes nothing, so steps may be
/// answered twice. Evolve refuses any event the order's status does not allow.
/// </summary>
public static class Order
{
    public static Decision<OrderEvent> Decide(OrderState state, OrderCommand command) => command switch
    {
        // A sale's buyer whose order found no unit left keeps hearing why: the same account cannot buy in it twice.
        PlaceOrder { FlashSale: true } when state.Status == OrderStatus.Rejected =>
            Decision<OrderEvent>.Reject(state.Reason ?? RejectionCodes.SoldOut, $"product '{state.Terms.Sku}' could not be reserved: {state.Reason}"),
        PlaceOrder c when state.Status != OrderStatus.None => c.FlashSale
            ? Decision<OrderEvent>.Reject(RejectionCodes.AlreadyPurchased, $"account '{state.Terms.AccountId}' already bought product '{state.Terms.Sku}' in this sale")
            : Decision<OrderEvent>.Reject(RejectionCodes.IdempotencyConflict, $"order '{state.OrderId}' already exists"),
        PlaceOrder c => Place(c),
        _ when state.Status == OrderStatus.None => Decision<OrderEvent>.Reject(RejectionCodes.NotFound, $"order '{state.OrderId}' does not exist"),
        PayOrder => Pay(state),
        CancelOrder => Cancel(state),
        ExpireOrder c when state.Status == OrderStatus.AwaitingPayment && c.Now >= state.Deadline =>
            Decision<OrderEvent>.Accept(new ReleaseStarted(Expired: true)),
        ExpireOrder => Decision<OrderEvent>.Accept(),
        StepAnswered a when a.Step == state.PendingStep && (a.Step != OrderStep.Freeze || a.Attempt == state.PaymentAttempts) => Answered(state, a),
        StepAnswered => Decision<OrderEvent>.Accept(),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, "unknown order command"),
    };

    public static OrderState Evolve(OrderState state, OrderEvent @event) => @event switch
    {
        OrderPlaced e when state.Status == OrderStatus.None && e.Terms.Quantity > 0 =>
            state with { Status = OrderStatus.Reserving, Terms = e.Terms, PlacedAt = e.PlacedAt, Deadline = e.Deadline },
        OrderReserved e when state.Status == OrderStatus.Reserving && e.Price > 0m =>
            state with { Status = OrderStatus.AwaitingPayment, Price = e.Price, Asset = e.Asset },
        OrderRejected e when state.Status == OrderStatus.Reserving => state with { Status = OrderStatus.Rejected, Reason = e.Reason },
        PaymentStarted e when state.Status == OrderStatus.AwaitingPayment && e.Attempt == state.PaymentAttempts + 1 =>
            state with { Status = OrderStatus.Freezing, PaymentAttempts = e.Attempt, Reason = null },
        PaymentRefused e when state.Status == OrderStatus.Freezing => state with { Status = OrderStatus.AwaitingPayment, Reason = e.Reason },
        FundsFrozen when state.Status == OrderStatus.Freezing => state with { Status = OrderStatus.Confirming },
        UnitsSold when state.Status == OrderStatus.Confirming => state with { Status = OrderStatus.Settling },
        OrderPaid when state.Status == OrderStatus.Settling => state with { Status = OrderStatus.Paid },
        SaleRefused e when state.Status == OrderStatus.Confirming => state with { Status = OrderStatus.Unfreezing, Reason = e.Reason },
        ReleaseStarted e when state.Status == OrderStatus.AwaitingPayment =>
            state with { Status = OrderStatus.Releasing, Reason = e.Expired ? ExpiredReason : CancelledReason },
        OrderClosed e when state.Status == OrderStatus.Releasing =>
            state with { Status = e.Expired ? OrderStatus.Expired : OrderStatus.Cancelled },
        OrderFailed e when state.Status is OrderStatus.Settling or OrderStatus.Unfreezing => state with { Status = OrderStatus.Failed, Reason = e.Reason },
        _ => throw new InvariantViolationException($"order {state.OrderId}: {@event} is not allowed in status {state.Status}"),
    };

    public const string ExpiredReason = "expired";

    public const string CancelledReason = "cancelled";

    private static Decision<OrderEvent> Place(PlaceOrder c)
    {
        var t = c.Terms;
        if (!Identifier.IsValid(t.AccountId) || !Identifier.IsValid(t.Sku))
        {
            return Decision<OrderEvent>.Reject(RejectionCodes.ValidationFailed,
                $"accountId and sku must be 1-{Identifier.MaxLength} characters of letters, digits and -_.:@");
        }
        if (t.Quantity is < 1 or > OrderRules.MaxQuantity)
        {
            return Decision<OrderEvent>.Reject(RejectionCodes.ValidationFailed, OrderRules.QuantityRule);
        }
        if (c.Deadline <= c.PlacedAt)
        {
            return Decision<OrderEvent>.Reject(RejectionCodes.ValidationFailed, "the payment deadline must come after the order");
        }
        return Decision<OrderEvent>.Accept(new OrderPlaced(t, c.PlacedAt, c.Deadline));
    }

    private static Decision<OrderEvent> Pay(OrderState state) => state.Status switch
    {
        OrderStatus.AwaitingPayment => Decision<OrderEvent>.Accept(new PaymentStarted(state.PaymentAttempts + 1)),
        OrderStatus.Reserving => Pending(state),
        // Already being paid, or paid: the buyer learns the outcome of the payment under way.
        OrderStatus.Freezing or OrderStatus.Confirming or OrderStatus.Settling or OrderStatus.Paid => Decision<OrderEvent>.Accept(),
        _ => Closed(state),
    };

    private static Decision<OrderEvent> Cancel(OrderState state) => state.Status switch
    {
        OrderStatus.AwaitingPayment => Decision<OrderEvent>.Accept(new ReleaseStarted(Expired: false)),
        OrderStatus.Reserving => Pending(state),
        OrderStatus.Freezing or OrderStatus.Confirming or OrderStatus.Settling =>
            Decision<OrderEvent>.Reject(RejectionCodes.PaymentInProgress, $"order '{state.OrderId}' is being paid and can no longer be cancelled"),
        OrderStatus.Paid => Decision<OrderEvent>.Reject(RejectionCodes.OrderPaid, $"order '{state.OrderId}' is paid and cannot be cancelled"),
        OrderStatus.Cancelled => Decision<OrderEvent>.Accept(),
        OrderStatus.Releasing when state.Reason == CancelledReason => Decision<OrderEvent>.Accept(),
        _ => Closed(state),
    };

    private static Decision<OrderEvent> Answered(OrderState state, StepAnswered a) => a.Step switch
    {
        OrderStep.Reserve when a.Accepted && (a.Price <= 0m || !AssetCode.IsValid(a.Asset)) =>
            throw new InvariantViolationException($"order {state.OrderId}: the stock reserved units without a price ({a})"),
        OrderStep.Reserve => a.Accepted
            ? Decision<OrderEvent>.Accept(new OrderReserved(a.Price, a.Asset))
            : Decision<OrderEvent>.Accept(new OrderRejected(a.Code ?? "reserve_refused")),
        OrderStep.Freeze => a.Accepted
            ? Decision<OrderEvent>.Accept(new FundsFrozen())
            : Decision<OrderEvent>.Accept(new PaymentRefused(a.Code ?? "freeze_refused")),
        OrderStep.Confirm => a.Accepted
            ? Decision<OrderEvent>.Accept(new UnitsSold())
            : Decision<OrderEvent>.Accept(new SaleRefused(a.Code ?? "confirm_refused")),
        OrderStep.Settle => a.Accepted
            ? Decision<OrderEvent>.Accept(new OrderPaid())
            : Decision<OrderEvent>.Accept(new OrderFailed($"the units were sold but the account refused to spend the frozen funds: {a.Code}")),
        OrderStep.Unfreeze => Decision<OrderEvent>.Accept(new OrderFailed(a.Accepted
            ? $"the stock refused to sell the reserved units ({state.Reason}); the funds were given back"
            : $"the stock refused to sell the reserved units ({state.Reason}) and the account refused to give the funds back: {a.Code}")),
        // A refused release means the units are not held any more: either way nothing is left to give back.
        OrderStep.Release => Decision<OrderEvent>.Accept(new OrderClosed(state.Reason == ExpiredReason)),
        _ => throw new ArgumentOutOfRangeException(nameof(a), a, "unknown order step"),
    };

    private static Decision<OrderEvent> Pending(OrderState state) =>
        Decision<OrderEvent>.Reject(RejectionCodes.OrderPending, $"order '{state.OrderId}' is still reserving its units; retry shortly");

    private static Decision<OrderEvent> Closed(OrderState state) =>
        Decision<OrderEvent>.Reject(RejectionCodes.OrderClosed,
            $"order '{state.OrderId}' is {OrderStatusNames.Of(state.Status)}{(state.Reason is null ? "" : $" ({state.Reason})")}");
}
