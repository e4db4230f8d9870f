namespace Cohort.Cluster.Entities.Orders;

/// <summary>Settings of the order process (section <c>Cohort:Orders</c>).</summary>
public sealed class OrderOptions
{
    public const string Section = "Cohort:Orders";

    /// <summary>An order not paid this long after it was placed expires, and its units go back.</summary>
    public TimeSpan PaymentTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long an order waits for the stock's or the account's answer to a step before sending it again.</summary>
    public TimeSpan StepRetry { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the order keeper looks for orders past their deadline, or stuck on a step, that no node holds.</summary>
    public TimeSpan KeeperInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>An order whose step went unanswered this long is woken by the keeper, which makes it send the step again.</summary>
    public TimeSpan StepMargin { get; set; } = TimeSpan.FromSeconds(30);
}
