using Cohort.Cluster.Entities.Orders;
using Npgsql;

namespace Cohort.Cluster.Persistence.Projections;

/// <summary>
/// Reads of the <c>orders</c> table that <see cref="OrderBook"/> keeps. It lags the orders by the projection's lag:
/// an order placed or paid a moment ago may not show yet, or show as it was.
/// </summary>
public sealed class OrderBookQuery(NpgsqlDataSource db)
{
    private const string Columns = "order_id, account_id, sku, quantity, status, asset, price, placed_at, deadline, reason";

    public sealed record Page(IReadOnlyList<OrderView> Items, long Total);

    /// <summary>An account's orders, newest first. <paramref name="page"/> is 1-based.</summary>
    public async Task<Page> ForAccountAsync(string accountId, int page, int pageSize, CancellationToken ct)
    {
        await using var batch = db.CreateBatch();
        var list = new NpgsqlBatchCommand($"SELECT {Columns} FROM orders WHERE account_id = $1 ORDER BY placed_at DESC, order_id LIMIT $2 OFFSET $3");
        list.Parameters.Add(new NpgsqlParameter { Value = accountId });
        list.Parameters.Add(new NpgsqlParameter { Value = pageSize });
        list.Parameters.Add(new NpgsqlParameter { Value = (long)(page - 1) * pageSize });
        var count = new NpgsqlBatchCommand("SELECT count(*) FROM orders WHERE account_id = $1");
        count.Parameters.Add(new NpgsqlParameter { Value = accountId });
        batch.BatchCommands.Add(list);
        batch.BatchCommands.Add(count);
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var items = new List<OrderView>();
        while (await reader.ReadAsync(ct))
        {
            items.Add(Read(reader));
        }
        await reader.NextResultAsync(ct);
        await reader.ReadAsync(ct);
        return new Page(items, reader.GetInt64(0));
    }

    /// <summary>
    /// Orders the keeper must wake: awaiting payment past their deadline, or waiting on a step whose last change is
    /// older than <paramref name="stepMargin"/> (a lost answer on a node that died or passivated the order).
    /// </summary>
    public async Task<IReadOnlyList<string>> DueAsync(TimeSpan stepMargin, int limit, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            (SELECT order_id FROM orders WHERE status = 'awaiting_payment' AND deadline <= now() ORDER BY deadline LIMIT $2)
            UNION ALL
            (SELECT order_id FROM orders WHERE status IN ('reserving', 'paying', 'refunding', 'releasing') AND updated_at < now() - $1
              ORDER BY updated_at LIMIT $2)
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = stepMargin });
        cmd.Parameters.Add(new NpgsqlParameter { Value = limit });
        var due = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            due.Add(reader.GetString(0));
        }
        return due;
    }

    private static OrderView Read(NpgsqlDataReader r)
    {
        var quantity = r.GetInt64(3);
        var price = r.IsDBNull(6) ? 0m : r.GetDecimal(6);
        return new OrderView(r.GetString(0), r.GetString(1), r.GetString(2), quantity, r.GetString(4), r.IsDBNull(5) ? "" : r.GetString(5),
            price, price * quantity, r.GetDateTime(7), r.GetDateTime(8), r.IsDBNull(9) ? null : r.GetString(9));
    }
}
