using System.Data;
using System.Globalization;
using System.Text;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Domain.Accounts;
using Npgsql;

namespace Cohort.Cluster.Singletons;

/// <summary>
/// Checks the books in one snapshot of the database. Every run: each asset's balances plus what transfers hold in
/// flight equal what came in minus what went out; no transfer has two debits, two credits, or both a credit and a
/// refund; no transfer is pending for long. A full run also finds negative balances, sums the whole journal (up to
/// where the reporting tables are) and compares every account with its balance row, including that each record's
/// balance-after follows from the events before it, and compares every transfer's legs with its status: completed
/// is one debit and one credit of its amount, rejected is nothing, or a debit refunded. It never changes anything.
/// </summary>
public sealed class Reconciler(NpgsqlDataSource db)
{
    private const string Reporting = "reporting";

    private static readonly string JournalSums = BuildJournalSums();

    public async Task<ReconciliationReport> RunAsync(ReconciliationScope scope, TimeSpan stuckAfter, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        // The planner's estimates for the journal sum pass jit_above_cost; compiling took longer than running it.
        await ExecuteAsync(conn, tx, "SET LOCAL jit = off", ct);
        var offset = await ScalarAsync<long?>(conn, tx, "SELECT ordering FROM projection_offsets WHERE projection = $1", ct, Reporting) ?? 0;
        var mismatches = new List<Mismatch>();

        var assets = new List<AssetTotal>();
        var held = new Dictionary<string, decimal>(StringComparer.Ordinal);
        await ForEachAsync(conn, tx, "SELECT asset, held, in_flight, expected FROM asset_flows ORDER BY asset", r =>
        {
            held[r.GetString(0)] = r.GetDecimal(1);
            assets.Add(new AssetTotal(r.GetString(0), r.GetDecimal(1), r.GetDecimal(2), r.GetDecimal(3)));
        }, ct);
        foreach (var a in assets.Where(a => a.Balances + a.InFlight != a.Expected))
        {
            mismatches.Add(new Mismatch("asset_total", a.Asset,
                $"balances {Text(a.Balances)} + in flight {Text(a.InFlight)} != deposits - withdrawals - settlements {Text(a.Expected)}"));
        }
        await ForEachAsync(conn, tx, """
            SELECT transfer_id, debits, credits, refunds FROM transfer_legs
             WHERE debits > 1 OR credits > 1 OR refunds > 1 OR (credits > 0 AND refunds > 0) OR credits + refunds > debits LIMIT 100
            """, r => mismatches.Add(new Mismatch("contradictory_legs", r.GetString(0),
                $"{r.GetInt32(1)} debits, {r.GetInt32(2)} credits, {r.GetInt32(3)} refunds")), ct);
        long stuck = 0;
        await ForEachAsync(conn, tx, """
            SELECT transfer_id, updated_at FROM transfer_status WHERE status = 'pending' AND updated_at < now() - $1 ORDER BY updated_at LIMIT 100
            """, r =>
            {
                stuck++;
                mismatches.Add(new Mismatch("stuck_transfer", r.GetString(0), $"pending since {r.GetDateTime(1):O}"));
            }, ct, stuckAfter);
        long records = 0, accounts = 0;
        if (scope == ReconciliationScope.Full)
        {
            // Scans of every balance: a full run's work. (Entities refuse what would go negative, and assert it.)
            await ForEachAsync(conn, tx, "SELECT account_id, asset, available, frozen FROM balances WHERE available < 0 OR frozen < 0 LIMIT 100", r =>
                mismatches.Add(new Mismatch("negative_balance", $"{r.GetString(0)}/{r.GetString(1)}", $"available {Text(r.GetDecimal(2))}, frozen {Text(r.GetDecimal(3))}")), ct);
            accounts = await ScalarAsync<long>(conn, tx, "SELECT count(DISTINCT account_id) FROM balances", ct);
            records = await CompareJournalAsync(conn, tx, offset, mismatches, ct);
            var sums = new Dictionary<string, decimal>(StringComparer.Ordinal);
            await ForEachAsync(conn, tx, "SELECT asset, sum(available + frozen) FROM balances GROUP BY asset", r => sums[r.GetString(0)] = r.GetDecimal(1), ct);
            foreach (var asset in sums.Keys.Union(held.Keys).Where(a => sums.GetValueOrDefault(a) != held.GetValueOrDefault(a)))
            {
                mismatches.Add(new Mismatch("held_vs_balances", asset,
                    $"the balances sum to {Text(sums.GetValueOrDefault(asset))}, the events to {Text(held.GetValueOrDefault(asset))}"));
            }
            await CompareTransfersAsync(conn, tx, mismatches, ct);
        }
        await tx.CommitAsync(ct);
        return new ReconciliationReport(DateTime.UtcNow, scope, offset, records, accounts, assets, mismatches, stuck);
    }

    /// <summary>Every account and asset: the journal's sums and last balance-after against its balance row.</summary>
    private static async Task<long> CompareJournalAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long offset, List<Mismatch> mismatches, CancellationToken ct)
    {
        long records = 0;
        await ForEachAsync(conn, tx, JournalSums, r =>
        {
            records += r.IsDBNull(10) ? 0 : r.GetInt64(10);
            decimal? available = Value(r, 2), frozen = Value(r, 3), lastAvailable = Value(r, 4), lastFrozen = Value(r, 5);
            decimal? rowAvailable = Value(r, 7), rowFrozen = Value(r, 8);
            long? seq = r.IsDBNull(6) ? null : r.GetInt64(6), rowSeq = r.IsDBNull(9) ? null : r.GetInt64(9);
            if (available != rowAvailable || frozen != rowFrozen || lastAvailable != rowAvailable || lastFrozen != rowFrozen || seq != rowSeq)
            {
                mismatches.Add(new Mismatch("journal_vs_balances", $"{r.GetString(0)}/{r.GetString(1)}",
                    $"journal: events sum to available {Text(available)} frozen {Text(frozen)}, last record says {Text(lastAvailable)}/{Text(lastFrozen)} at #{seq}; " +
                    $"balances: {Text(rowAvailable)}/{Text(rowFrozen)} at #{rowSeq}"));
            }
        }, ct, offset, PersistenceIds.Prefix(AccountRegion.TypeName));
        return records;
    }

    private static Task CompareTransfersAsync(NpgsqlConnection conn, NpgsqlTransaction tx, List<Mismatch> mismatches, CancellationToken ct) =>
        ForEachAsync(conn, tx, """
            SELECT coalesce(s.transfer_id, l.transfer_id), coalesce(s.status, 'missing'), s.amount,
                   coalesce(l.debited, 0), coalesce(l.credited, 0), coalesce(l.refunded, 0)
              FROM transfer_status s FULL JOIN transfer_legs l ON l.transfer_id = s.transfer_id
             WHERE s.transfer_id IS NULL
                OR (s.status = 'completed' AND (coalesce(l.debited, 0) <> s.amount OR coalesce(l.credited, 0) <> s.amount OR coalesce(l.refunded, 0) <> 0))
                OR (s.status = 'rejected' AND (coalesce(l.credited, 0) <> 0 OR coalesce(l.debited, 0) <> coalesce(l.refunded, 0)))
             LIMIT 100
            """, r => mismatches.Add(new Mismatch("transfer_legs", r.GetString(0),
                $"{r.GetString(1)} transfer of {(r.IsDBNull(2) ? "?" : Text(r.GetDecimal(2)))}: debited {Text(r.GetDecimal(3))}, credited {Text(r.GetDecimal(4))}, refunded {Text(r.GetDecimal(5))}")), ct);

    /// <summary>
    /// Per account and asset: the journal's available and frozen summed from each event's deltas (as the domain's
    /// AccountDelta defines them), the balances-after of its last record, its last sequence number, beside its row of
    /// <c>balances</c>, with how many records were summed.
    /// </summary>
    private static string BuildJournalSums()
    {
        AccountEvent[] samples =
        [
            new Deposited("X", 1m), new Withdrawn("X", 1m), new Frozen("X", 1m), new Unfrozen("X", 1m), new Settled("X", 1m),
            new TransferDebited("X", 1m, "t", "c"), new TransferCredited("X", 1m, "t", "c"), new TransferRefunded("X", 1m, "t", "c"),
        ];
        var available = new StringBuilder();
        var frozen = new StringBuilder();
        foreach (var e in samples)
        {
            var manifest = AccountFormats.RecordManifest(AccountFormats.EventName(e));
            var delta = AccountDelta.Of(e);
            available.Append(CultureInfo.InvariantCulture, $" WHEN '{manifest}' THEN a * {delta.Available}");
            frozen.Append(CultureInfo.InvariantCulture, $" WHEN '{manifest}' THEN a * {delta.Frozen}");
        }
        return $"""
            WITH records AS (
                SELECT substr(persistence_id, length($2) + 1) AS account_id, sequence_number AS seq, manifest,
                       convert_from(message, 'UTF8')::jsonb AS p
                  FROM event_journal
                 WHERE ordering <= $1 AND starts_with(persistence_id, $2) AND starts_with(manifest, 'account.') AND NOT deleted),
            sums AS (
                SELECT account_id, p->>'asset' AS asset,
                       sum(CASE manifest{available} ELSE 0 END) AS available,
                       sum(CASE manifest{frozen} ELSE 0 END) AS frozen,
                       (array_agg((p->>'available')::numeric ORDER BY seq DESC))[1] AS last_available,
                       (array_agg((p->>'frozen')::numeric ORDER BY seq DESC))[1] AS last_frozen,
                       max(seq) AS seq, count(*) AS records
                  FROM (SELECT *, (p->>'amount')::numeric AS a FROM records) r
                 GROUP BY 1, 2)
            SELECT coalesce(s.account_id, b.account_id), coalesce(s.asset, b.asset), s.available, s.frozen, s.last_available, s.last_frozen,
                   s.seq, b.available, b.frozen, b.seq_nr, s.records
              FROM sums s FULL JOIN balances b ON b.account_id = s.account_id AND b.asset = s.asset
            """;
    }

    private static async Task ExecuteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct, params object[] args)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        foreach (var arg in args)
        {
            cmd.Parameters.AddWithValue(arg);
        }
        var value = await cmd.ExecuteScalarAsync(ct);
        return value is null or DBNull ? default! : (T)value;
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

    private static string Text(decimal? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "none";
}
