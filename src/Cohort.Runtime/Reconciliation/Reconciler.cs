using System.Data;
using Npgsql;

namespace Cohort.Runtime.Reconciliation;

/// <summary>
/// Checks that, for every account and asset, the journal, the ledger and the balances agree, and that each
/// asset's total equals what came in minus what went out. It reads one snapshot of the database (every batch
/// writes all three atomically), and it never changes a balance: it reports.
/// </summary>
public sealed class Reconciler(NpgsqlDataSource dataSource)
{
    // Each event's effect on (available, frozen), as AccountDelta defines it in the domain.
    private const string JournalDeltas = """
        SELECT entity_id AS account_id, payload->>'asset' AS asset,
               sum(CASE event_type WHEN 'deposited' THEN a WHEN 'transferCredited' THEN a WHEN 'transferRefunded' THEN a
                                   WHEN 'unfrozen' THEN a WHEN 'withdrawn' THEN -a WHEN 'transferDebited' THEN -a
                                   WHEN 'frozen' THEN -a ELSE 0 END) AS available,
               sum(CASE event_type WHEN 'frozen' THEN a WHEN 'unfrozen' THEN -a WHEN 'settled' THEN -a ELSE 0 END) AS frozen
          FROM (SELECT entity_id, event_type, payload, (payload->>'amount')::numeric AS a FROM journal WHERE entity_type = 'account') j
         GROUP BY 1, 2
        """;

    public async Task<ReconciliationReport> RunAsync(TimeSpan stuckAfter, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        var mismatches = new List<Mismatch>();

        await ForEachAsync(conn, tx, $"""
            WITH j AS ({JournalDeltas})
            SELECT coalesce(j.account_id, b.account_id), coalesce(j.asset, b.asset), j.available, j.frozen, b.available, b.frozen
              FROM j FULL JOIN account_balances b ON b.account_id = j.account_id AND b.asset = j.asset
             WHERE j.available IS DISTINCT FROM b.available OR j.frozen IS DISTINCT FROM b.frozen
            """, r => mismatches.Add(new Mismatch("journal_vs_read_model", $"{r.GetString(0)}/{r.GetString(1)}",
                $"journal available {Text(r, 2)} frozen {Text(r, 3)}, balances available {Text(r, 4)} frozen {Text(r, 5)}")), ct);

        await ForEachAsync(conn, tx, """
            WITH l AS (
                SELECT account_id, asset, sum(delta_available) AS available, sum(delta_frozen) AS frozen,
                       (array_agg(available_after ORDER BY seq_nr DESC))[1] AS available_after,
                       (array_agg(frozen_after ORDER BY seq_nr DESC))[1] AS frozen_after
                  FROM ledger GROUP BY account_id, asset)
            SELECT coalesce(l.account_id, b.account_id), coalesce(l.asset, b.asset), l.available, l.frozen, b.available, b.frozen
              FROM l FULL JOIN account_balances b ON b.account_id = l.account_id AND b.asset = l.asset
             WHERE l.available IS DISTINCT FROM b.available OR l.frozen IS DISTINCT FROM b.frozen
                OR l.available_after IS DISTINCT FROM b.available OR l.frozen_after IS DISTINCT FROM b.frozen
            """, r => mismatches.Add(new Mismatch("ledger_vs_read_model", $"{r.GetString(0)}/{r.GetString(1)}",
                $"ledger available {Text(r, 2)} frozen {Text(r, 3)}, balances available {Text(r, 4)} frozen {Text(r, 5)}")), ct);

        var assets = new List<AssetTotal>();
        await ForEachAsync(conn, tx, """
            WITH flows AS (
                SELECT payload->>'asset' AS asset,
                       sum(CASE event_type WHEN 'deposited' THEN a WHEN 'withdrawn' THEN -a WHEN 'settled' THEN -a ELSE 0 END) AS expected,
                       sum(CASE event_type WHEN 'transferDebited' THEN a WHEN 'transferCredited' THEN -a WHEN 'transferRefunded' THEN -a ELSE 0 END) AS in_flight
                  FROM (SELECT event_type, payload, (payload->>'amount')::numeric AS a FROM journal WHERE entity_type = 'account') j
                 GROUP BY 1),
            held AS (SELECT asset, sum(available + frozen) AS total FROM account_balances GROUP BY asset)
            SELECT coalesce(f.asset, h.asset), coalesce(h.total, 0), coalesce(f.in_flight, 0), coalesce(f.expected, 0)
              FROM flows f FULL JOIN held h ON h.asset = f.asset
             ORDER BY 1
            """, r => assets.Add(new AssetTotal(r.GetString(0), r.GetDecimal(1), r.GetDecimal(2), r.GetDecimal(3))), ct);
        foreach (var a in assets.Where(a => a.Balances + a.InFlight != a.Expected))
        {
            mismatches.Add(new Mismatch("asset_total", a.Asset,
                $"balances {a.Balances} + in flight {a.InFlight} != deposits - withdrawals - settlements {a.Expected}"));
        }

        long stuck = 0;
        await ForEachAsync(conn, tx, """
            SELECT transfer_id, status, updated_at FROM transfers
             WHERE status NOT IN ('completed', 'rejected') AND updated_at < now() - $1
             ORDER BY updated_at LIMIT 100
            """, r =>
            {
                stuck++;
                mismatches.Add(new Mismatch("stuck_transfer", r.GetString(0), $"{r.GetString(1)} since {r.GetDateTime(2):O}"));
            }, ct, stuckAfter);

        var accounts = (long)(await new NpgsqlCommand("SELECT count(DISTINCT account_id) FROM account_balances", conn, tx).ExecuteScalarAsync(ct))!;
        await tx.CommitAsync(ct);
        return new ReconciliationReport(DateTime.UtcNow, accounts, assets, mismatches, stuck);
    }

    private static async Task ForEachAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, string sql, Action<NpgsqlDataReader> row, CancellationToken ct, params object[] args)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        foreach (var arg in args)
        {
            cmd.Parameters.AddWithValue(arg);
        }
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            row(reader);
        }
    }

    private static string Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? "none" : r.GetDecimal(i).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
