using System.Text.Json;
using Cohort.Cluster.Persistence;
using Cohort.Domain;
using Cohort.Domain.Accounts;

namespace Cohort.Cluster.Entities.Accounts;

/// <summary>A validated account command on its way to the account's entity.</summary>
public sealed record AccountCommandEnvelope(string AccountId, string RequestId, RequestHash Hash, AccountCommand Command)
    : IShardedMessage, ICohortMessage
{
    public string EntityId => AccountId;
}

/// <summary>Asks an account for its balances, as its journal holds them.</summary>
public sealed record GetAccount(string AccountId) : IShardedMessage, ICohortMessage
{
    public string EntityId => AccountId;
}

public sealed record AssetBalanceView(string Asset, decimal Available, decimal Frozen);

/// <summary>An account's balances, one per asset it ever held, in asset order.</summary>
public sealed record AccountBalances(string AccountId, IReadOnlyList<AssetBalanceView> Balances) : ICohortMessage
{
    public static AccountBalances Of(AccountState state) =>
        new(state.AccountId, state.Balances.Select(b => new AssetBalanceView(b.Key, b.Value.Available, b.Value.Frozen)).ToList());
}

/// <summary>An accepted account command: the account's event number and the asset's balances right after it.</summary>
public sealed record AccountCommandAccepted(string RequestId, string AccountId, long SeqNr, string Asset, decimal Available, decimal Frozen)
    : CommandAccepted(RequestId)
{
    public override void WriteBody(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("accountId", AccountId);
        w.WriteString("requestId", RequestId);
        w.WriteNumber("seqNr", SeqNr);
        w.WriteString("asset", Asset);
        w.WriteString("available", Amount.Format(Available));
        w.WriteString("frozen", Amount.Format(Frozen));
        w.WriteEndObject();
    }
}
