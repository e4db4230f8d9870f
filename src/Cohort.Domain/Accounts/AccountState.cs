using System.Collections.Immutable;

namespace Cohort.Domain.Accounts;

/// <summary>An account: one balance per asset; an asset appears on its first deposit.</summary>
public sealed record AccountState(string AccountId, ImmutableSortedDictionary<string, AssetBalance> Balances)
{
    public static AccountState Empty(string accountId) =>
        new(accountId, ImmutableSortedDictionary.Create<string, AssetBalance>(StringComparer.Ordinal));

    public AssetBalance BalanceOf(string asset) => Balances.GetValueOrDefault(asset, AssetBalance.Zero);

    public AccountState With(string asset, AssetBalance balance) => this with { Balances = Balances.SetItem(asset, balance) };
}
