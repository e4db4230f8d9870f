using Cohort.Domain;

namespace Cohort.Cluster.Entities.Accounts;

/// <summary>Settings of the account entity (section <c>Cohort:Accounts</c>).</summary>
public sealed class AccountOptions
{
    public const string Section = "Cohort:Accounts";

    /// <summary>The largest amount one command may move; larger ones are refused as validation_failed.</summary>
    public decimal MaxAmount { get; set; } = Amount.DefaultMaxAmount;
}
