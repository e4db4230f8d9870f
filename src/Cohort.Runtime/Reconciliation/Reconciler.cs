using System.Data;
using Cohort.Runtime.Accounts;
using Cohort.Runtime.Kafka;
using Npgsql;

namespace Cohort.Runtime.Reconciliation;

/// <summary>
/// Checks that, for every account and asset, the journal, the ledger and the balances agree, and that each
/// asset's total equals what came in minus what went out. It keeps running totals of the journal and the
/// ledger (migration 009), so a run sums only the account events written since the previous one, unless it is
/// <see cref="ReconciliationScope.Full"/>. Each run reads one snapshot of the database (every batch writes all
/// three atomically), and it never changes a balance: it reports.
/// </summary>
public sealed class Reconciler(NpgsqlDataSource dataSource)
{
    // Runs from any node (the singleton's timer, POST /admin/reconcile) take turns on the running totals.
    private const long AdvisoryLockKey = 0x436f686f72745243; // "CohortRC"

    // An account and asset's running totals (r) and its balance row (b), as Compare reads them.
    private const string Compared = """
        r.journal_available, r.journal_frozen, r.ledger_available, r.ledger_frozen, r.available_after, r.frozen_after,
        b.available, b.frozen
        """;

    // The account events above each partition's cursor, with each event's effect on (available, frozen) as
    // AccountDelta defines it in the domain, and on the asset's flows. The LATERAL walks
    // journal_partition_position from each cursor up, and each event finds its ledger entry by primary key;
    // OFFSET 0 keeps the planner from flattening either into a scan of the whole table. It answers, for each
    // account and asset the new events touched, the updated totals beside the balance row, found the same way.
    private const string SumNewEvents = $"""
        WITH new AS MATERIALIZED (
            SELECT o.kafka_partition, j.position, j.entity_id AS account_id, j.seq_nr, j.event_type,
                   j.payload->>'asset' AS asset, (j.payload->>'amount')::numeric AS a
              FROM partition_owners o
              LEFT JOIN reconciled_positions r ON r.kafka_partition = o.kafka_partition
              CROSS JOIN LATERAL (
                   SELECT position, entity_id, seq_nr, event_type, payload FROM journal
                    WHERE entity_type = $2 AND kafka_partition = o.kafka_partition AND position > coalesce(r.position, 0)
                   OFFSET 0) j
             WHERE o.topic = $1),
        journal_sums AS (
            SELECT account_id, asset,
                   sum(CASE event_type WHEN 'deposited' THEN a WHEN 'transferCredited' THEN a WHEN 'transferRefunded' THEN a
                                       WHEN 'unfrozen' THEN a WHEN 'withdrawn' THEN -a WHEN 'transferDebited' THEN -a
                                       WHEN 'frozen' THEN -a ELSE 0 END) AS available,
                   sum(CASE event_type WHEN 'frozen' THEN a WHEN 'unfrozen' THEN -a WHEN 'settled' THEN -a ELSE 0 END) AS frozen
              FROM new GROUP BY 1, 2),
        ledger_sums AS (
            SELECT l.account_id, l.asset, sum(l.delta_available) AS available, sum(l.delta_frozen) AS frozen, max(l.seq_nr) AS seq_nr,
                   (array_agg(l.available_after ORDER BY l.seq_nr DESC))[1] AS available_after,
                   (array_agg(l.frozen_after ORDER BY l.seq_nr DESC))[1] AS frozen_after
              FROM new n
              CROSS JOIN LATERAL (
                   SELECT account_id, asset, seq_nr, delta_available, delta_frozen, available_after, frozen_after FROM ledger
                    WHERE account_id = n.account_id AND seq_nr = n.seq_nr
                   OFFSET 0) l
             GROUP BY 1, 2),
        balances AS (
            INSERT INTO reconciled_balances AS r
                   (account_id, asset, journal_available, journal_frozen, ledger_available, ledger_frozen, ledger_seq_nr, available_after, frozen_after)
            SELECT coalesce(j.account_id, l.account_id), coalesce(j.asset, l.asset), coalesce(j.available, 0), coalesce(j.frozen, 0),
                   coalesce(l.available, 0), coalesce(l.frozen, 0), coalesce(l.seq_nr, 0), l.available_after, l.frozen_after
              FROM journal_sums j FULL JOIN ledger_sums l ON l.account_id = j.account_id AND l.asset = j.asset
            ON CONFLICT (account_id, asset) DO UPDATE SET
                   journal_available = r.journal_available + excluded.journal_available,
                   journal_frozen = r.journal_frozen + excluded.journal_frozen,
                   ledger_available = r.ledger_available + excluded.ledger_available,
                   ledger_frozen = r.ledger_frozen + excluded.ledger_frozen,
                   ledger_seq_nr = greatest(r.ledger_seq_nr, excluded.ledger_seq_nr),
                   available_after = CASE WHEN excluded.ledger_seq_nr > r.ledger_seq_nr THEN excluded.available_after ELSE r.available_after END,
                   frozen_after = CASE WHEN excluded.ledger_seq_nr > r.ledger_seq_nr THEN excluded.frozen_after ELSE r.frozen_after END
            RETURNING account_id, asset, journal_available, journal_frozen, ledger_available, ledger_frozen, available_after, frozen_after),
        assets AS (
            INSERT INTO reconciled_assets AS r (asset, expected, in_flight)
            SELECT asset,
                   sum(CASE event_type WHEN 'deposited' THEN a WHEN 'withdrawn' THEN -a WHEN 'settled' THEN -a ELSE 0 END),
                   sum(CASE event_type WHEN 'transferDebited' THEN a WHEN 'transferCredited' THEN -a WHEN 'transferRefunded' THEN -a ELSE 0 END)
              FROM new GROUP BY 1
            ON CONFLICT (asset) DO UPDATE SET expected = r.expected + excluded.expected, in_flight = r.in_flight + excluded.in_flight),
        positions AS (
            INSERT INTO reconciled_positions AS r (kafka_partition, position)
            SELECT kafka_partition, max(position) FROM new GROUP BY 1
            ON CONFLICT (kafka_partition) DO UPDATE SET position = excluded.position)
        SELECT r.account_id, r.asset, {Compared}, (SELECT count(*) FROM new)
          FROM balances r
          LEFT JOIN LATERAL (
               SELECT available, frozen FROM account_balances WHERE account_id = r.account_id AND asset = r.asset OFFSET 0) b ON true
        """;

    private const string CompareAll = $"""
        SELECT coalesce(r.account_id, b.account_id), coalesce(r.asset, b.asset), {Compared}
          FROM reconciled_balances r FULL JOIN account_balances b ON b.account_id = r.account_id AND b.asset = r.asset
        """;

    /// <summary>
    /// Sums the account events written since the last run (all of them for <see cref="ReconciliationScope.Full"/>),
    /// then compares as <paramref name="scope"/> says.
    /// </summary>
    public async Task<ReconciliationReport> RunAsync(ReconciliationScope scope, TimeSpan stuckAfter, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await ExecuteAsync(conn, null, "SELECT pg_advisory_lock($1)", ct, AdvisoryLockKey);
        try
        {
            return await RunLockedAsync(conn, scope, stuckAfter, ct);
        }
        finally
        {
            // A broken connection is closed, and its session's lock went with it.
            if (conn.State == ConnectionState.Open)
            {
                await ExecuteAsync(conn, null, "SELECT pg_advisory_unlock($1)", CancellationToken.None, AdvisoryLockKey);
            }
        }
    }

    private static async Task<ReconciliationReport> RunLockedAsync(
        NpgsqlConnection conn, ReconciliationScope scope, TimeSpan stuckAfter, CancellationToken ct)
    {
        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        // The planner's estimates for these statements pass jit_above_cost, and compiling them took 0.5 s of CPU
        // per run, several times what running them takes.
        await ExecuteAsync(conn, tx, "SET LOCAL jit = off", ct);
        if (scope == ReconciliationScope.Full)
        {
            await ExecuteAsync(conn, tx, "DELETE FROM reconciled_balances; DELETE FROM reconciled_assets; DELETE FROM reconciled_positions", ct);
        }

        // A run over new events compares what the summing answers; the others compare every account after it.
        var mismatches = new List<Mismatch>();
        var touchedAccounts = new HashSet<string>(StringComparer.Ordinal);
        long events = 0;
        await ForEachAsync(conn, tx, SumNewEvents, r =>
            {
                touchedAccounts.Add(r.GetString(0));
                events = r.GetInt64(10);
                if (scope == ReconciliationScope.NewEvents)
                {
                    Compare(r, mismatches);
                }
            }, ct, CohortTopics.Commands(AccountEntityType.TypeName), AccountEntityType.TypeName);
        if (scope == ReconciliationScope.NewEvents)
        {
            await tx.CommitAsync(ct);
            return new ReconciliationReport(DateTime.UtcNow, scope, events, touchedAccounts.Count, [], mismatches, 0);
        }

        await ForEachAsync(conn, tx, CompareAll, r => Compare(r, mismatches), ct);
        var assets = new List<AssetTotal>();
        await ForEachAsync(conn, tx, """
            WITH held AS (SELECT asset, sum(available + frozen) AS total FROM account_balances GROUP BY asset)
            SELECT coalesce(f.asset, h.asset), coalesce(h.total, 0), coalesce(f.in_flight, 0), coalesce(f.expected, 0)
              FROM reconciled_assets f FULL JOIN held h ON h.asset = f.asset
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
        return new ReconciliationReport(DateTime.UtcNow, scope, events, accounts, assets, mismatches, stuck);
    }

    /// <summary>One account and asset: its journal and ledger totals against its balance row (columns as in <see cref="Compared"/>).</summary>
    private static void Compare(NpgsqlDataReader r, List<Mismatch> mismatches)
    {
        var subject = $"{r.GetString(0)}/{r.GetString(1)}";
        decimal? journalAvailable = Value(r, 2), journalFrozen = Value(r, 3), ledgerAvailable = Value(r, 4), ledgerFrozen = Value(r, 5);
        decimal? availableAfter = Value(r, 6), frozenAfter = Value(r, 7), available = Value(r, 8), frozen = Value(r, 9);
        if (journalAvailable != available || journalFrozen != frozen)
        {
            mismatches.Add(new Mismatch("journal_vs_read_model", subject,
                $"journal available {Text(journalAvailable)} frozen {Text(journalFrozen)}, balances available {Text(available)} frozen {Text(frozen)}"));
        }
        if (ledgerAvailable != available || ledgerFrozen != frozen || availableAfter != available || frozenAfter != frozen)
        {
            mismatches.Add(new Mismatch("ledger_vs_read_model", subject,
                $"ledger available {Text(ledgerAvailable)} frozen {Text(ledgerFrozen)}, balances available {Text(available)} frozen {Text(frozen)}"));
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, CancellationToken ct, params object[] args)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        foreach (var arg in args)
        {
            cmd.Parameters.AddWithValue(arg);
        }
        await cmd.ExecuteNonQueryAsync(ct);
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

    private static decimal? Value(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDecimal(i);

    private static string Text(decimal? value) => value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none";
}
