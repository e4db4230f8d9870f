namespace Cohort.Cluster.Entities.Accounts;

/// <summary>The account shard region, as the actor registry knows it.</summary>
public sealed class AccountRegion
{
    /// <summary>Names its shard region, its journal's persistence ids and its topics (<c>cohort.commands.account</c>).</summary>
    public const string TypeName = "account";
}
