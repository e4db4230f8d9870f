using Akka.Persistence.Query;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Orders;
using Cohort.Domain.Orders;
using Npgsql;
using NpgsqlTypes;

namespace Cohort.Cluster.Persistence.Projections;

/// <summary>
/// Keeps the <c>orders</c> table current with the order journal: one row per order with its status as clients see
/// it (<see cref="OrderStatusNames"/>), one transaction per batch with its offset in it.
/// </summary>
public sealed class OrderBook(NpgsqlDataSource db, ProjectionOffsets offsets) : IProjection
{
    public string Name => "orders";

    public Task<long> ReadOffsetAsync(CancellationToken ct) => offsets.ReadAsync(Name, ct);

    public async Task HandleAsync(IReadOnlyList<EventEnvelope> batch, long offset, CancellationToken ct)
    {
        var rows = new Dictionary<string, Row>(StringComparer.Ordinal);
        foreach (var e in batch)
        {
            if (e.Event is OrderRecord r && PersistenceIds.TrySplit(e.PersistenceId, out _, out var orderId))
            {
                rows[orderId] = Row.Fold(rows.GetValueOrDefault(orderId), r, e.SequenceNr);
            }
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using var write = new NpgsqlBatch(conn, tx);
        if (rows.Count > 0)
        {
            // An order's placement came in this batch or an earlier one (journal order is per order order): what
            // this batch did not set comes from the row as it stands. The seq_nr guard makes a replay a no-op.
            var cmd = new NpgsqlBatchCommand("""
                INSERT INTO orders AS p (order_id, account_id, sku, quantity, status, asset, price, reason, placed_at, deadline, seq_nr, updated_at)
                SELECT u.order_id, coalesce(u.account_id, o.account_id), coalesce(u.sku, o.sku), coalesce(u.quantity, o.quantity), u.status,
                       coalesce(u.asset, o.asset), coalesce(u.price, o.price), CASE WHEN u.reason_set THEN u.reason ELSE o.reason END,
                       coalesce(u.placed_at, o.placed_at), coalesce(u.deadline, o.deadline), u.seq_nr, u.updated_at
                  FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::numeric[], $8::text[], $9::boolean[],
                              $10::timestamptz[], $11::timestamptz[], $12::bigint[], $13::timestamptz[])
                       AS u (order_id, account_id, sku, quantity, status, asset, price, reason, reason_set, placed_at, deadline, seq_nr, updated_at)
                  LEFT JOIN orders o ON o.order_id = u.order_id
                ON CONFLICT (order_id) DO UPDATE
                   SET status = excluded.status, asset = excluded.asset, price = excluded.price, reason = excluded.reason,
                       seq_nr = excluded.seq_nr, updated_at = excluded.updated_at
                 WHERE p.seq_nr < excluded.seq_nr
                """);
            var values = rows.Values.ToList();
            cmd.Parameters.Add(Array(rows.Keys.ToArray(), NpgsqlDbType.Text));
            cmd.Parameters.Add(Array(values.Select(v => v.Terms?.AccountId).ToArray(), NpgsqlDbType.Text));
            cmd.Parameters.Add(Array(values.Select(v => v.Terms?.Sku).ToArray(), NpgsqlDbType.Text));
            cmd.Parameters.Add(Array(values.Select(v => v.Terms?.Quantity).ToArray(), NpgsqlDbType.Bigint));
            cmd.Parameters.Add(Array(values.Select(v => v.Status).ToArray(), NpgsqlDbType.Text));
            cmd.Parameters.Add(Array(values.Select(v => v.Asset).ToArray(), NpgsqlDbType.Text));
            cmd.Parameters.Add(Array(values.Select(v => v.Price).ToArray(), NpgsqlDbType.Numeric));
            cmd.Parameters.Add(Array(values.Select(v => v.Reason).ToArray(), NpgsqlDbType.Text));
            cmd.Parameters.Add(Array(values.Select(v => v.ReasonSet).ToArray(), NpgsqlDbType.Boolean));
            cmd.Parameters.Add(Array(values.Select(v => v.PlacedAt).ToArray(), NpgsqlDbType.TimestampTz));
            cmd.Parameters.Add(Array(values.Select(v => v.Deadline).ToArray(), NpgsqlDbType.TimestampTz));
            cmd.Parameters.Add(Array(values.Select(v => v.SeqNr).ToArray(), NpgsqlDbType.Bigint));
            cmd.Parameters.Add(Array(values.Select(v => v.At).ToArray(), NpgsqlDbType.TimestampTz));
            write.BatchCommands.Add(cmd);
        }
        write.BatchCommands.Add(ProjectionOffsets.Store(Name, offset));
        await write.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    private static NpgsqlParameter Array<T>(T[] values, NpgsqlDbType type) => new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | type };

    /// <summary>
    /// One order after the batch's last event for it: its status, and what the batch's events set (null: not set in
    /// this batch). A reason is set by every event that changes the order's status, cleared when a payment starts.
    /// </summary>
    private sealed record Row(
        OrderTerms? Terms, string Status, string? Asset, decimal? Price, string? Reason, bool ReasonSet,
        DateTime? PlacedAt, DateTime? Deadline, long SeqNr, DateTime At)
    {
        public static Row Fold(Row? before, OrderRecord r, long seqNr)
        {
            var row = (before ?? new Row(null, "", null, null, null, false, null, null, seqNr, r.Stamp.At)) with
            {
                SeqNr = seqNr, At = r.Stamp.At, Status = OrderStatusNames.Of(OrderEventStatus.Of(r.Event)),
            };
            return r.Event switch
            {
                OrderPlaced e => row with { Terms = e.Terms, PlacedAt = e.PlacedAt, Deadline = e.Deadline },
                OrderReserved e => row with { Price = e.Price, Asset = e.Asset },
                OrderRejected e => row with { Reason = e.Reason, ReasonSet = true },
                PaymentStarted => row with { Reason = null, ReasonSet = true },
                PaymentRefused e => row with { Reason = e.Reason, ReasonSet = true },
                SaleRefused e => row with { Reason = e.Reason, ReasonSet = true },
                ReleaseStarted e => row with { Reason = e.Expired ? Order.ExpiredReason : Order.CancelledReason, ReasonSet = true },
                OrderFailed e => row with { Reason = e.Reason, ReasonSet = true },
                _ => row,
            };
        }
    }
}
