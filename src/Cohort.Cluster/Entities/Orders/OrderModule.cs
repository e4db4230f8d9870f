using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Entities.Stock;
using Cohort.Cluster.FlashSales;
using Cohort.Cluster.Metrics;
using Cohort.Cluster.Persistence;
using Cohort.Domain;
using Cohort.Domain.Orders;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cohort.Cluster.Entities.Orders;

public sealed class OrderModule : EntityModule
{
    public override string TypeName => OrderRegion.TypeName;

    public override void AddFormats(MessageFormats formats) => OrderFormats.Register(formats);

    /// <summary>
    /// Not remembered: an order in flight on a node that dies, or passivated while awaiting payment, is woken by the
    /// order keeper from the orders table, which costs nothing per order (remembering costs a write per order).
    /// </summary>
    public override void AddRegion(AkkaConfigurationBuilder akka, IServiceProvider services, EntityExtractor extractor)
    {
        var options = services.GetRequiredService<IOptions<EntityOptions>>().Value;
        var orders = services.GetRequiredService<IOptions<OrderOptions>>().Value;
        var metrics = services.GetRequiredService<CohortMetrics>();
        akka.WithShardRegion<OrderRegion>(TypeName,
            (_, registry, _) => orderId => OrderActor.PropsFor(orderId, registry.Get<StockRegion>(), registry.Get<AccountRegion>(), orders, options, metrics),
            extractor, EntityRegions.Options(options, rememberEntities: false));
    }

    public override IActorRef Region(IActorRegistry registry) => registry.Get<OrderRegion>();

    /// <summary>
    /// A flash-sale purchase of a product the node's sold-out board holds as sold out is answered <c>sold_out</c> from
    /// memory, as the HTTP route answers it: no order is asked, so a sold-out rush costs no entity and no journal row.
    /// </summary>
    public override Parsed<IShardedMessage> ParseCommand(byte[] json, IServiceProvider services)
    {
        var parsed = OrderCommandParser.Parse(json, services.GetRequiredService<IOptions<OrderOptions>>().Value, DateTime.UtcNow);
        if (parsed.Message is OrderCommandEnvelope { Command: PlaceOrder { FlashSale: true } place } envelope
            && services.GetRequiredService<SoldOutBoard>().IsSoldOut(place.Terms.Sku))
        {
            services.GetRequiredService<CohortMetrics>().SoldOutAnsweredFromMemory();
            return Parsed<IShardedMessage>.Valid(new SoldOutPurchase(envelope.OrderId,
                new CommandRejected(envelope.RequestId, RejectionCodes.SoldOut, $"product '{place.Terms.Sku}' is sold out")));
        }
        return parsed;
    }
}
