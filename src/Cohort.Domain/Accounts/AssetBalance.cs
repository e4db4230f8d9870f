namespace Cohort.Domain.Accounts;

/// <summary>One asset of an account: what can be spent now, and what is held for a pending payment.</summary>
public sealed record AssetBalance(decimal Available, decimal Frozen)
{
    public static readonly AssetBalance Zero = new(0m, 0m);
}
