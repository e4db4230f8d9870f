using System.Globalization;
using Cohort.Cluster.Persistence.Projections;
using Cohort.Domain.Stock;
using Microsoft.Extensions.Primitives;

namespace Cohort.Node.Http.Products;

/// <summary>
/// <c>GET /api/v1/products?category=&amp;page=&amp;pageSize=</c>: products in sku order, from the <c>products</c>
/// projection rather than the entities, so the list may lag them by the projection lag (GET of one product reads its
/// entity and does not).
/// </summary>
internal static class ProductList
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    public static async Task<IResult> ListAsync(HttpRequest request, ProductCatalogQuery catalog, CancellationToken ct)
    {
        var query = request.Query;
        if (query["category"].Count > 1 || query["page"].Count > 1 || query["pageSize"].Count > 1)
        {
            return Problems.Validation("give category, page and pageSize at most once each");
        }
        string? category = query["category"].Count == 1 ? query["category"].ToString() : null;
        if (category is not null && !ProductRules.IsValidCategory(category))
        {
            return Problems.Validation(ProductRules.CategoryRule);
        }
        if (!TryRead(query["page"], 1, int.MaxValue, 1, out var page))
        {
            return Problems.Validation("page must be a whole number from 1");
        }
        if (!TryRead(query["pageSize"], 1, MaxPageSize, DefaultPageSize, out var pageSize))
        {
            return Problems.Validation($"pageSize must be a whole number from 1 to {MaxPageSize}");
        }
        var found = await catalog.ListAsync(category, page, pageSize, ct);
        return ProductJson.Page(found, page, pageSize);
    }

    /// <summary>Digits only (no sign, spaces or exponent); an absent parameter is <paramref name="absent"/>.</summary>
    private static bool TryRead(StringValues given, int min, int max, int absent, out int value)
    {
        if (given.Count == 0)
        {
            value = absent;
            return true;
        }
        return int.TryParse(given.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
    }
}
