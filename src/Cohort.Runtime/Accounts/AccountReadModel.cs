using Cohort.Domain.Accounts;
using Cohort.Runtime.Entities;
using Npgsql;
using static Cohort.Runtime.Persistence.Sql;

namespace Cohort.Runtime.Accounts;

/// <summary>
/// Keeps <c>account_balances</c> (one row per account and asset) and the <c>ledger</c> (one entry per change)
/// current with the journal, in the batch's own transaction.
/// </summary>
internal sealed class AccountReadModel : IReadModelProjection<AccountState, AccountEvent>
{
    private const string UpsertBalances = """
        INSERT INTO account_balances (account_id, asset, available, frozen, seq_nr, updated_at)
        SELECT a, s, av, fr, q, $6 FROM unnest($1::text[], $2::text[], $3::numeric[], $4::numeric[], $5::bigint[]) AS t(a, s, av, fr, q)
        ON CONFLICT (account_id, asset) DO UPDATE
           SET available = excluded.available, frozen = excluded.frozen, seq_nr = excluded.seq_nr, updated_at = excluded.updated_at
        """;

    private const string AppendLedger = """
        INSERT INTO ledger (account_id, asset, seq_nr, kind, delta_available, delta_frozen, available_after, frozen_after, request_id, created_at)
        SELECT a, s, q, k, da, df, aa, fa, r, $10
          FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::numeric[], $6::numeric[], $7::numeric[], $8::numeric[], $9::text[])
               WITH ORDINALITY AS t(a, s, q, k, da, df, aa, fa, r, n)
         ORDER BY n
        """;

    public void AddWrites(
        NpgsqlBatch batch,
        IReadOnlyList<EntityChange<AccountState>> changed,
        IReadOnlyList<(JournaledEvent<AccountEvent> Event, AccountState After)> events,
        DateTime now)
    {
        AddBalances(batch, changed, now);
        AddLedger(batch, events, now);
    }

    private static void AddBalances(NpgsqlBatch batch, IReadOnlyList<EntityChange<AccountState>> changed, DateTime now)
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
            batch.BatchCommands.Add(Command(UpsertBalances,
                TextArray(accounts), TextArray(assets), NumericArray(available), NumericArray(frozen), BigintArray(seqNrs), Timestamp(now)));
        }
    }

    private static void AddLedger(NpgsqlBatch batch, IReadOnlyList<(JournaledEvent<AccountEvent> Event, AccountState After)> events, DateTime now)
    {
        if (events.Count == 0)
        {
            return;
        }
        var accounts = new List<string>(events.Count);
        var assets = new List<string>(events.Count);
        var seqNrs = new List<long>(events.Count);
        var kinds = new List<string>(events.Count);
        var deltaAvailable = new List<decimal>(events.Count);
        var deltaFrozen = new List<decimal>(events.Count);
        var availableAfter = new List<decimal>(events.Count);
        var frozenAfter = new List<decimal>(events.Count);
        var requestIds = new List<string>(events.Count);
        foreach (var (journaled, after) in events)
        {
            var e = journaled.Event;
            var delta = AccountDelta.Of(e);
            var balance = after.BalanceOf(e.Asset);
            accounts.Add(journaled.EntityId);
            assets.Add(e.Asset);
            seqNrs.Add(journaled.SeqNr);
            kinds.Add(delta.Kind);
            deltaAvailable.Add(delta.Available);
            deltaFrozen.Add(delta.Frozen);
            availableAfter.Add(balance.Available);
            frozenAfter.Add(balance.Frozen);
            requestIds.Add(journaled.RequestId);
        }
        batch.BatchCommands.Add(Command(AppendLedger,
            TextArray(accounts), TextArray(assets), BigintArray(seqNrs), TextArray(kinds), NumericArray(deltaAvailable),
            NumericArray(deltaFrozen), NumericArray(availableAfter), NumericArray(frozenAfter), TextArray(requestIds), Timestamp(now)));
    }
}
