using Cohort.Domain.Accounts;
using Cohort.Runtime.Entities;
using Npgsql;
using static Cohort.Runtime.Persistence.Sql;

namespace Cohort.Runtime.Accounts;

/// <summary>Keeps <c>account_balances</c> (one row per account and asset) current with the journal.</summary>
internal sealed class AccountReadModel : IReadModelProjection<AccountState>
{
    private const string Upsert = """
        INSERT INTO account_balances (account_id, asset, available, frozen, seq_nr, updated_at)
        SELECT a, s, av, fr, q, $6 FROM unnest($1::text[], $2::text[], $3::numeric[], $4::numeric[], $5::bigint[]) AS t(a, s, av, fr, q)
        ON CONFLICT (account_id, asset) DO UPDATE
           SET available = excluded.available, frozen = excluded.frozen, seq_nr = excluded.seq_nr, updated_at = excluded.updated_at
        """;

    public void AddWrites(NpgsqlBatch batch, IReadOnlyList<EntityChange<AccountState>> changed, DateTime now)
    {
        var accounts = new List<string>(changed.Count);
        var assets = new List<string>(changed.Count);
        var available = new List<decimal>(changed.Count);
        var frozen = new List<decimal>(changed.Count);
        var seqNrs = new List<long>(changed.Count);
        foreach (var change in changed)
        {
            foreach (var (asset, balance) in change.State.Balances)
            {
                accounts.Add(change.EntityId);
                assets.Add(asset);
                available.Add(balance.Available);
                frozen.Add(balance.Frozen);
                seqNrs.Add(change.SeqNr);
            }
        }
        if (accounts.Count > 0)
        {
            batch.BatchCommands.Add(Command(Upsert,
                TextArray(accounts), TextArray(assets), NumericArray(available), NumericArray(frozen), BigintArray(seqNrs), Timestamp(now)));
        }
    }
}
