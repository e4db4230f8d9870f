using Cohort.Domain.Transfers;
using Cohort.Runtime.Entities;
using Npgsql;
using static Cohort.Runtime.Persistence.Sql;

namespace Cohort.Runtime.Transfers;

/// <summary>Keeps <c>transfers</c> current: what <c>GET /api/v1/transfers/{id}</c> answers.</summary>
internal sealed class TransferReadModel : IReadModelProjection<TransferState, TransferEvent>
{
    private const string Upsert = """
        INSERT INTO transfers (transfer_id, from_account, to_account, asset, amount, status, reason, seq_nr, updated_at)
        SELECT i, f, t, a, m, s, r, q, $9
          FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::numeric[], $6::text[], $7::text[], $8::bigint[]) AS u(i, f, t, a, m, s, r, q)
        ON CONFLICT (transfer_id) DO UPDATE
           SET status = excluded.status, reason = excluded.reason, seq_nr = excluded.seq_nr, updated_at = excluded.updated_at
        """;

    public void AddWrites(
        NpgsqlBatch batch,
        IReadOnlyList<EntityChange<TransferState>> changed,
        IReadOnlyList<(JournaledEvent<TransferEvent> Event, TransferState After)> events,
        DateTime now)
    {
        if (changed.Count == 0)
        {
            return;
        }
        var ids = new List<string>(changed.Count);
        var from = new List<string>(changed.Count);
        var to = new List<string>(changed.Count);
        var assets = new List<string>(changed.Count);
        var amounts = new List<decimal>(changed.Count);
        var statuses = new List<string>(changed.Count);
        var reasons = new List<string?>(changed.Count);
        var seqNrs = new List<long>(changed.Count);
        foreach (var change in changed)
        {
            var s = change.State;
            ids.Add(change.EntityId);
            from.Add(s.Terms.From);
            to.Add(s.Terms.To);
            assets.Add(s.Terms.Asset);
            amounts.Add(s.Terms.Amount);
            statuses.Add(TransferJson.Status(s.Status));
            reasons.Add(s.Reason);
            seqNrs.Add(change.SeqNr);
        }
        batch.BatchCommands.Add(Command(Upsert, TextArray(ids), TextArray(from), TextArray(to), TextArray(assets), NumericArray(amounts),
            TextArray(statuses), new NpgsqlParameter { Value = reasons, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text },
            BigintArray(seqNrs), Timestamp(now)));
    }
}
