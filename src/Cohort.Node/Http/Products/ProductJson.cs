using Cohort.Cluster.Entities.Stock;
using Cohort.Cluster.Persistence.Projections;

namespace Cohort.Node.Http.Products;

/// <summary>
/// Products as the API shows them, in the one form <see cref="StockView.WriteProperties"/> gives them: the GET of one
/// product, each item of the list and a command's answer cannot drift apart.
/// </summary>
internal static class ProductJson
{
    public static IResult Product(StockView product) => JsonResult.Of(w =>
    {
        w.WriteStartObject();
        product.WriteProperties(w);
        w.WriteEndObject();
    });

    public static IResult Page(ProductCatalogQuery.Page found, int page, int pageSize) => JsonResult.Of(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("items");
        foreach (var product in found.Items)
        {
            w.WriteStartObject();
            product.WriteProperties(w);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNumber("page", page);
        w.WriteNumber("pageSize", pageSize);
        w.WriteNumber("total", found.Total);
        w.WriteEndObject();
    });
}
