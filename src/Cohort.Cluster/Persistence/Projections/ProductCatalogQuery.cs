using Cohort.Cluster.Entities.Stock;
using Npgsql;

namespace Cohort.Cluster.Persistence.Projections;

/// <summary>
/// Pages of the <c>products</c> table that <see cref="ProductCatalog"/> keeps. It lags the entities by the projection's
/// lag: a product restocked or changed a moment ago may not show yet, or show as it was.
/// </summary>
public sealed class ProductCatalogQuery(NpgsqlDataSource db)
{
    public sealed record Page(IReadOnlyList<StockView> Items, long Total);

    /// <param name="category">Only this category (exact match), or every product when null.</param>
    /// <param name="page">1-based.</param>
    public async Task<Page> ListAsync(string? category, int page, int pageSize, CancellationToken ct)
    {
        // Without "$n IS NULL OR category = $n", so that a category's page walks products_category_sku.
        await using var batch = db.CreateBatch();
        var list = new NpgsqlBatchCommand(
            $"SELECT sku, name, price, asset, category, available, reserved, sold FROM products {(category is null ? "" : "WHERE category = $3")} ORDER BY sku LIMIT $1 OFFSET $2");
        list.Parameters.Add(new NpgsqlParameter { Value = pageSize });
        list.Parameters.Add(new NpgsqlParameter { Value = (long)(page - 1) * pageSize });
        var count = new NpgsqlBatchCommand($"SELECT count(*) FROM products {(category is null ? "" : "WHERE category = $1")}");
        if (category is not null)
        {
            list.Parameters.Add(new NpgsqlParameter { Value = category });
            count.Parameters.Add(new NpgsqlParameter { Value = category });
        }
        batch.BatchCommands.Add(list);
        batch.BatchCommands.Add(count);
        var items = new List<StockView>();
        await using var reader = await batch.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            items.Add(new StockView(reader.GetString(0), true, reader.GetString(1), reader.GetDecimal(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7)));
        }
        await reader.NextResultAsync(ct);
        await reader.ReadAsync(ct);
        return new Page(items, reader.GetInt64(0));
    }
}
