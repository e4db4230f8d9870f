using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Metrics;
using Cohort.Cluster.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cohort.Cluster.Entities.Transfers;

public sealed class TransferModule : EntityModule
{
    public override string TypeName => TransferRegion.TypeName;

    public override void AddFormats(MessageFormats formats) => TransferFormats.Register(formats);

    /// <summary>Remembers its entities: a transfer in flight restarts on a survivor after its node dies, with no request.</summary>
    public override void AddRegion(AkkaConfigurationBuilder akka, IServiceProvider services, EntityExtractor extractor)
    {
        var options = services.GetRequiredService<IOptions<EntityOptions>>().Value;
        var transfers = services.GetRequiredService<IOptions<TransferOptions>>().Value;
        var metrics = services.GetRequiredService<CohortMetrics>();
        akka.WithShardRegion<TransferRegion>(TypeName,
            (_, registry, _) => transferId => TransferActor.PropsFor(transferId, registry.Get<AccountRegion>(), transfers, options, metrics),
            extractor, EntityRegions.Options(options, rememberEntities: true));
    }

    public override IActorRef Region(IActorRegistry registry) => registry.Get<TransferRegion>();

    public override Parsed<IShardedMessage> ParseCommand(byte[] json, IServiceProvider services)
    {
        var parsed = TransferCommandParser.Parse(json, services.GetRequiredService<IOptions<AccountOptions>>().Value.MaxAmount);
        return new Parsed<IShardedMessage>(parsed.Message, parsed.Error);
    }
}
