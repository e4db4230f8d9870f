using Akka.Persistence.Query;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Stock;
using Cohort.Domain.Stock;
using Npgsql;
using NpgsqlTypes;

namespace Cohort.Cluster.Persistence.Projections;

/// <summary>
/// Keeps the <c>products</c> table, which the product list reads, current with the stock journal: one row per SKU,
/// one transaction per batch with its offset in it.
/// </summary>
public sealed class ProductCatalog(NpgsqlDataSource db, ProjectionOffsets offsets) : IProjection
{
    public string Name => "products";

    public Task<long> ReadOffsetAsync(CancellationToken ct) => offsets.ReadAsync(Name, ct);

    public async Task HandleAsync(IReadOnlyList<EventEnvelope> batch, long offset, CancellationToken ct)
    {
        var rows = new Dictionary<string, Row>(StringComparer.Ordinal);
        foreach (var e in batch)
        {
            if (e.Event is StockRecord r && PersistenceIds.TrySplit(e.PersistenceId, out _, out var sku))
            {
                rows[sku] = Row.Fold(rows.GetValueOrDefault(sku), r, e.SequenceNr);
            }
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using var write = new NpgsqlBatch(conn, tx);
        if (rows.Count > 0)
        {
            // A batch knows a detail only if one of its events set it; the others come from the row as it stands
            // (the product's creation came in an earlier batch, journal order being per product order). The seq_nr
            // guard makes a replayed batch a no-op rather than a step back.
            var cmd = new NpgsqlBatchCommand("""
                INSERT INTO products AS p (sku, name, price, asset, category, available, reserved, sold, seq_nr, updated_at)
                SELECT u.sku, coalesce(u.name, o.name), coalesce(u.price, o.price), coalesce(u.asset, o.asset),
                       coalesce(u.category, o.category), u.available, u.reserved, u.sold, u.seq_nr, u.updated_at
                  FROM unnest($1::text[], $2::text[], $3::numeric[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[],
                              $9::bigint[], $10::timestamptz[])
                       AS u (sku, name, price, asset, category, available, reserved, sold, seq_nr, updated_at)
                  LEFT JOIN products o ON o.sku = u.sku
                ON CONFLICT (sku) DO UPDATE
                   SET name = excluded.name, price = excluded.price, asset = excluded.asset, category = excluded.category,
                       available = excluded.available, reserved = excluded.reserved, sold = excluded.sold,
                       seq_nr = excluded.seq_nr, updated_at = excluded.updated_at
                 WHERE p.seq_nr < excluded.seq_nr
                """);
            var values = rows.Values.ToList();
            cmd.Parameters.Add(Texts(rows.Keys.ToArray()));
            cmd.Parameters.Add(Texts(values.Select(v => v.Name).ToArray()));
            cmd.Parameters.Add(new NpgsqlParameter { Value = values.Select(v => v.Price).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric });
            cmd.Parameters.Add(Texts(values.Select(v => v.Asset).ToArray()));
            cmd.Parameters.Add(Texts(values.Select(v => v.Category).ToArray()));
            cmd.Parameters.Add(new NpgsqlParameter { Value = values.Select(v => v.Units.Available).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = values.Select(v => v.Units.Reserved).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = values.Select(v => v.Units.Sold).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = values.Select(v => v.SeqNr).ToArray() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = values.Select(v => v.At).ToArray() });
            write.BatchCommands.Add(cmd);
        }
        write.BatchCommands.Add(ProjectionOffsets.Store(Name, offset));
        await write.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    private static NpgsqlParameter Texts(string?[] texts) =>
        new() { Value = texts, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    /// <summary>
    /// One product after the batch's last event for it: the details its events set (null: not set in this batch;
    /// a category is never cleared, so null means unchanged there too) and its units after that event.
    /// </summary>
    private sealed record Row(string? Name, decimal? Price, string? Asset, string? Category, StockUnits Units, long SeqNr, DateTime At)
    {
        public static Row Fold(Row? before, StockRecord r, long seqNr)
        {
            var row = (before ?? new Row(null, null, null, null, r.After, seqNr, r.Stamp.At)) with { Units = r.After, SeqNr = seqNr, At = r.Stamp.At };
            return r.Event switch
            {
                ProductCreated c => row with { Name = c.Name, Price = c.Price, Asset = c.Asset, Category = c.Category },
                DetailsChanged c => row with { Name = c.Name ?? row.Name, Price = c.Price ?? row.Price, Category = c.Category ?? row.Category },
                _ => row,
            };
        }
    }
}
