namespace Cohort.Domain.Orders;

/// <summary>The commands an order sends: to the stock (reserve, confirm, release) and to the account (the rest).</summary>
public enum OrderStep
{
    Reserve,
    Freeze,
    Confirm,
    Settle,
    Release,
    Unfreeze,
}
