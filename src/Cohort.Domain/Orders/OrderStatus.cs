namespace Cohort.Domain.Orders;

/// <summary>
/// Where an order is. Each status but <see cref="AwaitingPayment"/> and the final ones waits on one step: a command
/// to the stock or the account, sent again until answered.
/// </summary>
public enum OrderStatus
{
    /// <summary>No order with this id was placed.</summary>
    None,

    /// <summary>Waiting for the stock to reserve the units.</summary>
    Reserving,

    /// <summary>Units held until the deadline; waiting for the buyer to pay.</summary>
    AwaitingPayment,

    /// <summary>Paying: waiting for the account to freeze the amount.</summary>
    Freezing,

    /// <summary>Paying: funds frozen, waiting for the stock to sell the reserved units.</summary>
    Confirming,

    /// <summary>Paying: units sold, waiting for the account to spend the frozen funds.</summary>
    Settling,

    /// <summary>The stock refused to sell the units after the funds were frozen: giving the funds back.</summary>
    Unfreezing,

    /// <summary>Cancelled or expired: waiting for the stock to take the units back.</summary>
    Releasing,

    Paid,

    Cancelled,

    Expired,

    /// <summary>The units could not be reserved (sold out, no such product): nothing was held.</summary>
    Rejected,

    /// <summary>A step was refused that should not have been (see the reason); reconciliation reports it.</summary>
    Failed,
}
