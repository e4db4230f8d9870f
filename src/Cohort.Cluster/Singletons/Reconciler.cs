using System.Data;
using System.Globalization;
using System.Text;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Entities.Orders;
using Cohort.Cluster.Entities.Stock;
using Cohort.Domain.Accounts;
using Cohort.Domain.Orders;
using Cohort.Domain.Stock;
using Npgsql;

namespace Cohort.Cluster.Singletons;

/// <summary>
/// Checks the books in one snapshot of the database. Every run: each asset's balances plus what transfers hold in
/// flight equal what came in minus what went out; no transfer has two debits, two credits, or both a credit and a
/// refund; no transfer is pending for long. A full run also finds negative balances, sums the whole journal (up to
/// where the reporting tables are) and compares every account with its balance row, including that each record's
/// balance-after follows from the events before it, and compares every transfer's legs with its status: completed
/// is one debit and one credit of its amount, rejected is nothing, or a debit refunded. For orders, every run
/// reports failed orders and orders still not final a margin after their deadline (the order keeper should have
/// driven them to a final state); a full run also checks, from the journal alone, that each product's sold units are
/// what its paid orders bought and that each order's frozen, settled and unfrozen funds match its status. It never
/// changes anything.
/// </summary>
public sealed class Reconciler(NpgsqlDataSource db)
{
    private const string Reporting = "reporting";

    private static readonly string JournalSums = BuildJournalSums();

    /// <summary>What clients see of the statuses an order waits in: it should leave them by its deadline plus a margin.</summary>
    private static readonly string[] OpenStatuses = Enum.GetValues<OrderStatus>()
        .Where(s => s != OrderStatus.None && !(OrderState.New("") with { Status = s }).IsFinal)
        .Select(OrderStatusNames.Of).Distinct().ToArray();

    private static readonly string StuckOrders = BuildStuckOrders();
    private static readonly string OrderJournal = BuildOrderJournal();
    private static readonly string SoldVsPaid = BuildSoldVsPaid();
    private static readonly string OrderFunds = BuildOrderFunds();

    /// <param name="stuckAfter">A transfer pending longer is reported stuck.</param>
    /// <param name="orderMargin">An order not final this long after its deadline is reported stuck.</param>
    public async Task<ReconciliationReport> RunAsync(ReconciliationScope scope, TimeSpan stuckAfter, TimeSpan orderMargin, CancellationToken ct)
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
        // Both read partial indexes of the orders table that hold only orders not final, and failed ones.
        await ForEachAsync(conn, tx, StuckOrders, r => mismatches.Add(new Mismatch("stuck_order", r.GetString(0),
            $"{r.GetString(1)} {DateTime.UtcNow - r.GetDateTime(2):g} after its deadline {r.GetDateTime(2):O}")), ct, orderMargin);
        await ForEachAsync(conn, tx, $"SELECT order_id, reason FROM orders WHERE status = '{Status(OrderStatus.Failed)}' ORDER BY order_id LIMIT 100",
            r => mismatches.Add(new Mismatch("failed_order", r.GetString(0), r.IsDBNull(1) ? "failed" : r.GetString(1))), ct);
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
            // Scans of every order, stock and account record of the journal: a full run's work.
            await ForEachAsync(conn, tx, SoldVsPaid, r => mismatches.Add(new Mismatch("sold_mismatch", r.GetString(0),
                $"the stock sold {r.GetInt64(1)} units, paid orders bought {r.GetInt64(2)} (orders being paid left out)")), ct,
                PersistenceIds.Prefix(OrderRegion.TypeName), PersistenceIds.Prefix(StockRegion.TypeName));
            await ForEachAsync(conn, tx, OrderFunds, r => mismatches.Add(new Mismatch("order_funds_mismatch", r.GetString(0),
                $"{r.GetString(1)} order of {Text(Value(r, 2))}: {r.GetInt64(3)} freezes of {Text(r.GetDecimal(4))} in all, " +
                $"{r.GetInt64(5)} settlements of {Text(r.GetDecimal(6))}, {r.GetInt64(7)} unfreezes of {Text(r.GetDecimal(8))}")), ct,
                PersistenceIds.Prefix(OrderRegion.TypeName), PersistenceIds.Prefix(AccountRegion.TypeName));
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

    /// <summary>Orders in a status they should have left by their deadline plus the margin ($1), oldest deadline first.</summary>
    private static string BuildStuckOrders()
    {
        var awaiting = Status(OrderStatus.AwaitingPayment);
        var inFlight = string.Join(", ", OpenStatuses.Where(s => s != awaiting).Select(s => $"'{s}'"));
        return $"""
            (SELECT order_id, status, deadline FROM orders WHERE status = '{awaiting}' AND deadline < now() - $1 ORDER BY deadline LIMIT 100)
            UNION ALL
            (SELECT order_id, status, deadline FROM orders WHERE status IN ({inFlight}) AND deadline < now() - $1 ORDER BY deadline LIMIT 100)
            """;
    }

    /// <summary>
    /// A query's first CTE, <c>orders_j</c>: every order as its journal (persistence ids starting with $1) has it:
    /// terms, price and asset, and the status after its last event, folded as <see cref="OrderEventStatus"/> folds.
    /// </summary>
    private static string BuildOrderJournal()
    {
        (OrderEvent Sample, string Condition)[] samples =
        [
            (new OrderPlaced(new OrderTerms("a", "s", 1), default, default), ""), (new OrderReserved(1m, "X"), ""), (new OrderRejected("r"), ""),
            (new PaymentStarted(1), ""), (new PaymentRefused("r"), ""), (new FundsFrozen(), ""), (new UnitsSold(), ""), (new OrderPaid(), ""),
            (new SaleRefused("r"), ""), (new ReleaseStarted(false), ""), (new OrderClosed(true), " AND (p->>'expired')::boolean"),
            (new OrderClosed(false), " AND NOT (p->>'expired')::boolean"), (new OrderFailed("r"), ""),
        ];
        var status = new StringBuilder();
        foreach (var (sample, condition) in samples)
        {
            status.Append(CultureInfo.InvariantCulture,
                $" WHEN manifest = '{OrderManifest(sample)}'{condition} THEN '{OrderStatusNames.Of(OrderEventStatus.Of(sample))}'");
        }
        var placed = OrderManifest(samples[0].Sample);
        var reserved = OrderManifest(samples[1].Sample);
        return $"""
            orders_j AS (
                SELECT substr(persistence_id, length($1) + 1) AS order_id,
                       max(p->>'accountId') FILTER (WHERE manifest = '{placed}') AS account_id,
                       max(p->>'sku') FILTER (WHERE manifest = '{placed}') AS sku,
                       max((p->>'quantity')::bigint) FILTER (WHERE manifest = '{placed}') AS quantity,
                       max((p->>'price')::numeric) FILTER (WHERE manifest = '{reserved}') AS price,
                       max(p->>'asset') FILTER (WHERE manifest = '{reserved}') AS asset,
                       (array_agg(CASE{status} END ORDER BY sequence_number DESC))[1] AS status
                  FROM (SELECT persistence_id, sequence_number, manifest, convert_from(message, 'UTF8')::jsonb AS p
                          FROM event_journal WHERE starts_with(persistence_id, $1) AND starts_with(manifest, 'order.') AND NOT deleted) r
                 GROUP BY 1)
            """;
    }

    /// <summary>
    /// Per SKU, the units the stock's journal (persistence ids starting with $2) confirmed against the quantities of
    /// the paid orders. An order being paid may have its units confirmed and not yet be paid: its confirmation is
    /// left out. Units confirmed for an id that is no order count, as nothing paid for them.
    /// </summary>
    private static string BuildSoldVsPaid()
    {
        var confirmed = StockFormats.RecordManifest(StockFormats.EventName(new ReservationConfirmed("o", 1)));
        var beingPaid = string.Join(", ", OpenStatuses.Where(s => s != Status(OrderStatus.AwaitingPayment)).Select(s => $"'{s}'"));
        return $"""
            WITH {OrderJournal},
            confirms AS (
                SELECT substr(persistence_id, length($2) + 1) AS sku, p->>'orderId' AS order_id, (p->>'quantity')::bigint AS quantity
                  FROM (SELECT persistence_id, convert_from(message, 'UTF8')::jsonb AS p
                          FROM event_journal WHERE starts_with(persistence_id, $2) AND manifest = '{confirmed}' AND NOT deleted) r),
            sold AS (
                SELECT c.sku, sum(c.quantity) AS units FROM confirms c LEFT JOIN orders_j o ON o.order_id = c.order_id
                 WHERE o.status IS NULL OR o.status NOT IN ({beingPaid}) GROUP BY c.sku),
            paid AS (SELECT sku, sum(quantity) AS units FROM orders_j WHERE status = '{Status(OrderStatus.Paid)}' GROUP BY sku)
            SELECT coalesce(s.sku, p.sku), coalesce(s.units, 0)::bigint, coalesce(p.units, 0)::bigint
              FROM sold s FULL JOIN paid p ON p.sku = s.sku
             WHERE coalesce(s.units, 0) <> coalesce(p.units, 0)
             ORDER BY 1 LIMIT 100
            """;
    }

    /// <summary>
    /// Per order, the freezes, settlements and unfreezes its account's journal (persistence ids starting with $2)
    /// holds under the order's step request ids (<see cref="OrderSteps"/>: <c>&lt;orderId&gt;:freeze</c>,
    /// <c>:freeze-n</c>, <c>:settle</c>, <c>:unfreeze</c>) in the order's asset, where they contradict its status:
    /// paid is one freeze and one settlement of its amount and no unfreeze; awaiting payment, cancelled, expired and
    /// rejected hold nothing frozen and spent nothing. Orders being paid are between steps, and failed ones are
    /// reported as such.
    /// </summary>
    private static string BuildOrderFunds()
    {
        var frozen = AccountFormats.RecordManifest(AccountFormats.EventName(new Frozen("X", 1m)));
        var settled = AccountFormats.RecordManifest(AccountFormats.EventName(new Settled("X", 1m)));
        var unfrozen = AccountFormats.RecordManifest(AccountFormats.EventName(new Unfrozen("X", 1m)));
        var holdNothing = string.Join(", ",
            new[] { OrderStatus.AwaitingPayment, OrderStatus.Cancelled, OrderStatus.Expired, OrderStatus.Rejected }.Select(s => $"'{Status(s)}'"));
        return $"""
            WITH {OrderJournal},
            steps AS (
                SELECT substr(persistence_id, length($2) + 1) AS account_id, manifest, p->>'asset' AS asset, (p->>'amount')::numeric AS amount,
                       substring(p->>'requestId' from '^(.+):(?:freeze(?:-[0-9]+)?|settle|unfreeze)$') AS order_id
                  FROM (SELECT persistence_id, manifest, convert_from(message, 'UTF8')::jsonb AS p
                          FROM event_journal
                         WHERE starts_with(persistence_id, $2) AND manifest IN ('{frozen}', '{settled}', '{unfrozen}') AND NOT deleted) r),
            funds AS (
                SELECT s.order_id,
                       count(*) FILTER (WHERE s.manifest = '{frozen}') AS freezes, coalesce(sum(s.amount) FILTER (WHERE s.manifest = '{frozen}'), 0) AS frozen,
                       count(*) FILTER (WHERE s.manifest = '{settled}') AS settles, coalesce(sum(s.amount) FILTER (WHERE s.manifest = '{settled}'), 0) AS settled,
                       count(*) FILTER (WHERE s.manifest = '{unfrozen}') AS unfreezes, coalesce(sum(s.amount) FILTER (WHERE s.manifest = '{unfrozen}'), 0) AS unfrozen
                  FROM steps s JOIN orders_j o ON o.order_id = s.order_id AND o.account_id = s.account_id AND (o.asset IS NULL OR o.asset = s.asset)
                 GROUP BY s.order_id),
            checked AS (
                SELECT o.order_id, o.status, o.price * o.quantity AS amount, coalesce(f.freezes, 0) AS freezes, coalesce(f.frozen, 0) AS frozen,
                       coalesce(f.settles, 0) AS settles, coalesce(f.settled, 0) AS settled,
                       coalesce(f.unfreezes, 0) AS unfreezes, coalesce(f.unfrozen, 0) AS unfrozen
                  FROM orders_j o LEFT JOIN funds f ON f.order_id = o.order_id)
            SELECT order_id, status, amount, freezes, frozen, settles, settled, unfreezes, unfrozen FROM checked
             WHERE (status = '{Status(OrderStatus.Paid)}'
                    AND NOT (freezes = 1 AND frozen = amount AND settles = 1 AND settled = amount AND unfreezes = 0))
                OR (status IN ({holdNothing}) AND (settles > 0 OR frozen <> unfrozen))
             ORDER BY order_id LIMIT 100
            """;
    }

    private static string OrderManifest(OrderEvent e) => OrderFormats.RecordManifest(OrderFormats.EventName(e));

    private static string Status(OrderStatus status) => OrderStatusNames.Of(status);

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
