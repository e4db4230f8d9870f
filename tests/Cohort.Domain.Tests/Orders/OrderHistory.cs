using Cohort.Domain.Orders;

namespace Cohort.Domain.Tests.Orders;

/// <summary>Orders in every status, built by evolving the events that lead there, as the journal would replay them.</summary>
public static class OrderHistory
{
    public const string OrderId = "o-1";

    public static readonly OrderTerms Terms = new("alice", "mug-1", 2);

    public static readonly DateTime PlacedAt = new(2024, 5, 6, 7, 0, 0, DateTimeKind.Utc);

    public static readonly DateTime Deadline = PlacedAt.AddMinutes(15);

    /// <summary>Every status an order can be in; releasing twice over, as a cancel and as an expiry.</summary>
    public static TheoryData<string> Names => new(Paths.Keys.ToArray());

    /// <summary>Every status of an order that was placed.</summary>
    public static TheoryData<string> PlacedNames => new(Paths.Keys.Where(name => name != "None").ToArray());

    /// <summary>The events from a new order to each status, by a name tests can use as theory data.</summary>
    public static readonly IReadOnlyDictionary<string, OrderEvent[]> Paths = new Dictionary<string, OrderEvent[]>
    {
        ["None"] = [],
        ["Reserving"] = [Placed()],
        ["AwaitingPayment"] = [Placed(), Reserved()],
        ["Freezing"] = [Placed(), Reserved(), new PaymentStarted(1)],
        ["Confirming"] = [Placed(), Reserved(), new PaymentStarted(1), new FundsFrozen()],
        ["Settling"] = [Placed(), Reserved(), new PaymentStarted(1), new FundsFrozen(), new UnitsSold()],
        ["Paid"] = [Placed(), Reserved(), new PaymentStarted(1), new FundsFrozen(), new UnitsSold(), new OrderPaid()],
        ["Unfreezing"] = [Placed(), Reserved(), new PaymentStarted(1), new FundsFrozen(), new SaleRefused(RejectionCodes.ReservationNotFound)],
        ["Releasing(cancelled)"] = [Placed(), Reserved(), new ReleaseStarted(Expired: false)],
        ["Releasing(expired)"] = [Placed(), Reserved(), new ReleaseStarted(Expired: true)],
        ["Cancelled"] = [Placed(), Reserved(), new ReleaseStarted(Expired: false), new OrderClosed(Expired: false)],
        ["Expired"] = [Placed(), Reserved(), new ReleaseStarted(Expired: true), new OrderClosed(Expired: true)],
        ["Rejected"] = [Placed(), new OrderRejected(RejectionCodes.SoldOut)],
        ["Failed"] = [Placed(), Reserved(), new PaymentStarted(1), new FundsFrozen(), new UnitsSold(), new OrderFailed("settle refused")],
    };

    public static OrderPlaced Placed() => new(Terms, PlacedAt, Deadline);

    public static OrderReserved Reserved() => new(2.50m, "EUR");

    public static OrderState At(string name) => Evolve(OrderState.New(OrderId), Paths[name]);

    public static OrderState Evolve(OrderState state, params OrderEvent[] events) => events.Aggregate(state, Order.Evolve);
}
