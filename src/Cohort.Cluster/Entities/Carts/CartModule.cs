using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Cohort.Cluster.Metrics;
using Cohort.Cluster.Persistence;
using Cohort.Domain.Carts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cohort.Cluster.Entities.Carts;

public sealed class CartModule : EntityModule
{
    public override string TypeName => CartRegion.TypeName;

    public override void AddFormats(MessageFormats formats) => CartFormats.Register(formats);

    public override void AddRegion(AkkaConfigurationBuilder akka, IServiceProvider services, EntityExtractor extractor)
    {
        var options = services.GetRequiredService<IOptions<EntityOptions>>().Value;
        var metrics = services.GetRequiredService<CohortMetrics>();
        akka.WithShardRegion<CartRegion>(TypeName, accountId => CartActor.PropsFor(accountId, options, metrics),
            extractor, EntityRegions.Options(options, rememberEntities: false));
    }

    public override IActorRef Region(IActorRegistry registry) => registry.Get<CartRegion>();

    /// <summary>
    /// Set and clear. A checkout is refused here: it would empty the cart while nothing places its orders, which only
    /// the checkout route does.
    /// </summary>
    public override Parsed<IShardedMessage> ParseCommand(byte[] json, IServiceProvider services)
    {
        var parsed = CartCommandParser.Parse(json);
        if (parsed.Message?.Command is CheckOut)
        {
            return Parsed<IShardedMessage>.Invalid("checkout is not taken from Kafka: it would empty the cart without placing its orders");
        }
        return new Parsed<IShardedMessage>(parsed.Message, parsed.Error);
    }
}
