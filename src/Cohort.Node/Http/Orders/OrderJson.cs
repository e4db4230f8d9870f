using Cohort.Cluster.Entities.Orders;
using Cohort.Cluster.Persistence.Projections;

namespace Cohort.Node.Http.Orders;

/// <summary>Orders as the API shows them, in the one form <see cref="OrderView.WriteProperties"/> gives them.</summary>
internal static class OrderJson
{
    public static IResult Order(OrderView order) => JsonResult.Of(w =>
    {
        w.WriteStartObject();
        order.WriteProperties(w);
        w.WriteEndObject();
    });

    public static IResult Page(string accountId, OrderBookQuery.Page found, int page, int pageSize) => JsonResult.Of(w =>
    {
        w.WriteStartObject();
        w.WriteString("accountId", accountId);
        w.WriteStartArray("items");
        foreach (var order in found.Items)
        {
            w.WriteStartObject();
            order.WriteProperties(w);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNumber("page", page);
        w.WriteNumber("pageSize", pageSize);
        w.WriteNumber("total", found.Total);
        w.WriteEndObject();
    });
}
