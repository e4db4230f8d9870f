using Cohort.Cluster.Persistence.Projections;
using Cohort.Domain.Stock;

namespace Cohort.Node.Http.Products;

/// <summary>
/// <c>GET /api/v1/products?category=&amp;page=&amp;pageSize=</c>: products in sku order, from the <c>products</c>
/// projection rather than the entities, so the list may lag them by the projection lag (GET of one product reads its
/// entity and does not).
/// </summary>
internal static class ProductList
{
    public static async Task<IResult> ListAsync(HttpRequest request, ProductCatalogQuery catalog, CancellationToken ct)
    {
        var query = request.Query;
        if (query["category"].Count > 1)
        {
            return Problems.Validation("give category, page and pageSize at most once each");
        }
        string? category = query["category"].Count == 1 ? query["category"].ToString() : null;
        if (category is not null && !ProductRules.IsValidCategory(category))
        {
            return Problems.Validation(ProductRules.CategoryRule);
        }
        if (Paging.Read(query, out var page, out var pageSize) is { } error)
        {
            return Problems.Validation(error);
        }
        var found = await catalog.ListAsync(category, page, pageSize, ct);
        return ProductJson.Page(found, page, pageSize);
    }
}
