using System.Collections.Immutable;

namespace Cohort.Domain.Carts;

/// <summary>
/// One account's cart: the units of each product (by sku) it holds, and how many times it was checked out.
/// Every account has one, empty until its first lines are set.
/// </summary>
public sealed record CartState(string AccountId, ImmutableSortedDictionary<string, long> Lines, long CheckedOut)
{
    public static CartState Empty(string accountId) =>
        new(accountId, ImmutableSortedDictionary.Create<string, long>(StringComparer.Ordinal), 0);
}
