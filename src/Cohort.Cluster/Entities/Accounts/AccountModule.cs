using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Cohort.Cluster.Metrics;
using Cohort.Cluster.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cohort.Cluster.Entities.Accounts;

public sealed class AccountModule : EntityModule
{
    public override string TypeName => AccountRegion.TypeName;

    public override void AddFormats(MessageFormats formats) => AccountFormats.Register(formats);

    public override void AddRegion(AkkaConfigurationBuilder akka, IServiceProvider services, EntityExtractor extractor)
    {
        var options = services.GetRequiredService<IOptions<EntityOptions>>().Value;
        var metrics = services.GetRequiredService<CohortMetrics>();
        akka.WithShardRegion<AccountRegion>(TypeName, accountId => AccountActor.PropsFor(accountId, options, metrics),
            extractor, EntityRegions.Options(options, rememberEntities: false));
    }

    public override IActorRef Region(IActorRegistry registry) => registry.Get<AccountRegion>();

    public override Parsed<IShardedMessage> ParseCommand(byte[] json, IServiceProvider services)
    {
        var parsed = AccountCommandParser.Parse(json, services.GetRequiredService<IOptions<AccountOptions>>().Value.MaxAmount);
        return new Parsed<IShardedMessage>(parsed.Message, parsed.Error);
    }
}
