using Akka.Persistence.Query;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Entities.Transfers;
using Cohort.Domain.Accounts;
using Cohort.Domain.Transfers;
using Npgsql;
using NpgsqlTypes;

namespace Cohort.Cluster.Persistence.Projections;

/// <summary>
/// Keeps the SQL tables that reporting and reconciliation read (<c>balances</c>, <c>asset_flows</c>,
/// <c>transfer_status</c>, <c>transfer_legs</c>) current with the journal: one transaction per batch, its offset in it.
/// </summary>
public sealed class ReportingTables(NpgsqlDataSource db, ProjectionOffsets offsets) : IProjection
{
    public string Name => "reporting";

    public Task<long> ReadOffsetAsync(CancellationToken ct) => offsets.ReadAsync(Name, ct);

    public async Task HandleAsync(IReadOnlyList<EventEnvelope> batch, long offset, CancellationToken ct)
    {
        var balances = new Dictionary<(string Account, string Asset), (AssetBalance After, long SeqNr, DateTime At)>();
        var flows = new Dictionary<string, (decimal Expected, decimal InFlight, decimal Held)>(StringComparer.Ordinal);
        var transfers = new Dictionary<string, (TransferTerms Terms, string Status, string? Reason, long SeqNr, DateTime At)>(StringComparer.Ordinal);
        var legs = new Dictionary<string, Legs>(StringComparer.Ordinal);
        foreach (var e in batch)
        {
            if (!PersistenceIds.TrySplit(e.PersistenceId, out _, out var entityId))
            {
                continue;
            }
            switch (e.Event)
            {
                case AccountRecord r:
                    balances[(entityId, r.Event.Asset)] = (r.After, e.SequenceNr, r.Stamp.At);
                    var delta = AccountDelta.Of(r.Event);
                    var (expected, inFlight, held) = flows.GetValueOrDefault(r.Event.Asset);
                    flows[r.Event.Asset] = r.Event switch
                    {
                        Deposited => (expected + r.Event.Amount, inFlight, held + r.Event.Amount),
                        Withdrawn or Settled => (expected - r.Event.Amount, inFlight, held - r.Event.Amount),
                        TransferDebited => (expected, inFlight + r.Event.Amount, held - r.Event.Amount),
                        TransferCredited or TransferRefunded => (expected, inFlight - r.Event.Amount, held + r.Event.Amount),
                        _ => (expected, inFlight, held + delta.Available + delta.Frozen),
                    };
                    if (r.Event is ITransferLeg leg)
                    {
                        var l = legs.GetValueOrDefault(leg.TransferId) ?? new Legs(r.Event.Asset);
                        l.Add(r.Event);
                        legs[leg.TransferId] = l;
                    }
                    break;
                case TransferRecord t:
                    var (status, reason) = t.Event switch
                    {
                        TransferCompleted => (TransferAnswer.Completed, null),
                        TransferRejected rejected => (TransferAnswer.Rejected, rejected.Reason),
                        _ => (TransferAnswer.Pending, (string?)null),
                    };
                    transfers[entityId] = (t.Event.Terms, status, reason, e.SequenceNr, t.Stamp.At);
                    break;
            }
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using var write = new NpgsqlBatch(conn, tx);
        if (balances.Count > 0)
        {
            write.BatchCommands.Add(Command("""
                INSERT INTO balances (account_id, asset, available, frozen, seq_nr, updated_at)
                SELECT * FROM unnest($1::text[], $2::text[], $3::numeric[], $4::numeric[], $5::bigint[], $6::timestamptz[])
                ON CONFLICT (account_id, asset) DO UPDATE
                   SET available = excluded.available, frozen = excluded.frozen, seq_nr = excluded.seq_nr, updated_at = excluded.updated_at
                """,
                balances.Keys.Select(k => k.Account).ToArray(), balances.Keys.Select(k => k.Asset).ToArray(),
                balances.Values.Select(v => v.After.Available).ToArray(), balances.Values.Select(v => v.After.Frozen).ToArray(),
                balances.Values.Select(v => v.SeqNr).ToArray(), balances.Values.Select(v => v.At).ToArray()));
        }
        if (flows.Count > 0)
        {
            write.BatchCommands.Add(Command("""
                INSERT INTO asset_flows AS f (asset, expected, in_flight, held)
                SELECT * FROM unnest($1::text[], $2::numeric[], $3::numeric[], $4::numeric[])
                ON CONFLICT (asset) DO UPDATE
                   SET expected = f.expected + excluded.expected, in_flight = f.in_flight + excluded.in_flight, held = f.held + excluded.held
                """,
                flows.Keys.ToArray(), flows.Values.Select(v => v.Expected).ToArray(), flows.Values.Select(v => v.InFlight).ToArray(),
                flows.Values.Select(v => v.Held).ToArray()));
        }
        if (transfers.Count > 0)
        {
            write.BatchCommands.Add(Command("""
                INSERT INTO transfer_status (transfer_id, from_account, to_account, asset, amount, status, reason, seq_nr, updated_at)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::numeric[], $6::text[], $7::text[], $8::bigint[], $9::timestamptz[])
                ON CONFLICT (transfer_id) DO UPDATE
                   SET status = excluded.status, reason = excluded.reason, seq_nr = excluded.seq_nr, updated_at = excluded.updated_at
                """,
                transfers.Keys.ToArray(), transfers.Values.Select(v => v.Terms.From).ToArray(), transfers.Values.Select(v => v.Terms.To).ToArray(),
                transfers.Values.Select(v => v.Terms.Asset).ToArray(), transfers.Values.Select(v => v.Terms.Amount).ToArray(),
                transfers.Values.Select(v => v.Status).ToArray(), transfers.Values.Select(v => v.Reason).ToArray(),
                transfers.Values.Select(v => v.SeqNr).ToArray(), transfers.Values.Select(v => v.At).ToArray()));
        }
        if (legs.Count > 0)
        {
            write.BatchCommands.Add(Command("""
                INSERT INTO transfer_legs AS l (transfer_id, asset, debited, credited, refunded, debits, credits, refunds)
                SELECT * FROM unnest($1::text[], $2::text[], $3::numeric[], $4::numeric[], $5::numeric[], $6::int[], $7::int[], $8::int[])
                ON CONFLICT (transfer_id) DO UPDATE
                   SET debited = l.debited + excluded.debited, credited = l.credited + excluded.credited, refunded = l.refunded + excluded.refunded,
                       debits = l.debits + excluded.debits, credits = l.credits + excluded.credits, refunds = l.refunds + excluded.refunds
                """,
                legs.Keys.ToArray(), legs.Values.Select(l => l.Asset).ToArray(), legs.Values.Select(l => l.Debited).ToArray(),
                legs.Values.Select(l => l.Credited).ToArray(), legs.Values.Select(l => l.Refunded).ToArray(),
                legs.Values.Select(l => l.Debits).ToArray(), legs.Values.Select(l => l.Credits).ToArray(), legs.Values.Select(l => l.Refunds).ToArray()));
        }
        write.BatchCommands.Add(ProjectionOffsets.Store(Name, offset));
        await write.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] arrays)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        foreach (var array in arrays)
        {
            cmd.Parameters.Add(array is string?[] texts
                ? new NpgsqlParameter { Value = texts, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text }
                : new NpgsqlParameter { Value = array });
        }
        return cmd;
    }

    /// <summary>What the account journals of one batch say a transfer moved.</summary>
    private sealed class Legs(string asset)
    {
        public string Asset { get; } = asset;

        public decimal Debited { get; private set; }

        public decimal Credited { get; private set; }

        public decimal Refunded { get; private set; }

        public int Debits { get; private set; }

        public int Credits { get; private set; }

        public int Refunds { get; private set; }

        public void Add(AccountEvent leg)
        {
            switch (leg)
            {
                case TransferDebited:
                    Debited += leg.Amount;
                    Debits++;
                    break;
                case TransferCredited:
                    Credited += leg.Amount;
                    Credits++;
                    break;
                case TransferRefunded:
                    Refunded += leg.Amount;
                    Refunds++;
                    break;
            }
        }
    }
}
