using Akka.Hosting;
using Cohort.Cluster.Entities.Stock;
using Cohort.Domain;
using Cohort.Node.Auth;

namespace Cohort.Node.Http.Products;

/// <summary>
/// The product API over the stock entity: <c>/api/v1/products/{sku}</c>. PUT restocks (creating the product on its
/// first restock), PATCH changes details, GET reads the product. Reservations go through Kafka. <c>GET /api/v1/products</c>
/// lists products from a projection (<see cref="ProductList"/>). Reading is public; PUT and PATCH are for admin and services.
/// </summary>
internal static class ProductEndpoints
{
    public static void MapProductEndpoints(this WebApplication app)
    {
        var products = app.MapGroup("/api/v1/products");
        products.MapPut("/{sku}", (string sku, HttpRequest request, IRequiredActor<StockRegion> region, EntityAsk ask, CancellationToken ct) =>
            CommandAsync("restock", sku, request, region, ask, ct)).RequireService();
        products.MapPatch("/{sku}", (string sku, HttpRequest request, IRequiredActor<StockRegion> region, EntityAsk ask, CancellationToken ct) =>
            CommandAsync("change", sku, request, region, ask, ct)).RequireService();
        products.MapGet("/", ProductList.ListAsync);
        products.MapGet("/{sku}", GetProductAsync);
    }

    private static async Task<IResult> CommandAsync(
        string type, string sku, HttpRequest request, IRequiredActor<StockRegion> region, EntityAsk ask, CancellationToken ct)
    {
        var (doc, error) = await JsonBody.ReadAsync(request, ct);
        if (doc is null)
        {
            return Problems.Validation(error!);
        }
        using (doc)
        {
            var parsed = StockCommandParser.Read(doc.RootElement, type, sku);
            if (parsed.Message is not { } envelope)
            {
                return Problems.Validation(parsed.Error!);
            }
            var reply = await ask.AskAsync(region.ActorRef, StockRegion.TypeName, envelope, ct);
            return EntityAsk.ToResult(reply, $"{type} '{envelope.RequestId}' of product '{sku}'");
        }
    }

    /// <summary>The product from its entity: a command answered before this GET shows in it.</summary>
    private static async Task<IResult> GetProductAsync(string sku, IRequiredActor<StockRegion> region, EntityAsk ask, CancellationToken ct)
    {
        if (!Identifier.IsValid(sku))
        {
            return Problems.Validation($"sku must be 1-{Identifier.MaxLength} characters of letters, digits and -_.:@");
        }
        var reply = await ask.AskAsync(region.ActorRef, StockRegion.TypeName, new GetStock(sku), ct);
        return reply switch
        {
            StockView { Exists: false } => Problems.Of(Problems.NotFound, $"product '{sku}' does not exist"),
            StockView product => ProductJson.Product(product),
            _ => Problems.Of(Problems.Timeout, $"product '{sku}' did not answer in time; retry"),
        };
    }
}
