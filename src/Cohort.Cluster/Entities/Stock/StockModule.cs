using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Cohort.Cluster.FlashSales;
using Cohort.Cluster.Metrics;
using Cohort.Cluster.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cohort.Cluster.Entities.Stock;

public sealed class StockModule : EntityModule
{
    public override string TypeName => StockRegion.TypeName;

    public override void AddFormats(MessageFormats formats) => StockFormats.Register(formats);

    public override void AddRegion(AkkaConfigurationBuilder akka, IServiceProvider services, EntityExtractor extractor)
    {
        var options = services.GetRequiredService<IOptions<EntityOptions>>().Value;
        var metrics = services.GetRequiredService<CohortMetrics>();
        // The replica is looked up when an entity starts, long after every actor of the node's start-up exists.
        akka.WithShardRegion<StockRegion>(TypeName,
            (_, registry) => sku => StockActor.PropsFor(sku, options, metrics, registry.Get<SoldOutReplica>()),
            extractor, EntityRegions.Options(options, rememberEntities: false));
    }

    public override IActorRef Region(IActorRegistry registry) => registry.Get<StockRegion>();

    public override Parsed<IShardedMessage> ParseCommand(byte[] json, IServiceProvider services)
    {
        var parsed = StockCommandParser.Parse(json);
        return new Parsed<IShardedMessage>(parsed.Message, parsed.Error);
    }
}
