using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Cohort.Cluster.Metrics;
using Cohort.Cluster.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cohort.Cluster.Entities.Users;

/// <summary>Users come over HTTP only: a registration carries a password hash, which has no business on a topic.</summary>
public sealed class UserModule : EntityModule
{
    public override string TypeName => UserRegion.TypeName;

    public override bool HasCommandTopic => false;

    public override void AddFormats(MessageFormats formats) => UserFormats.Register(formats);

    public override void AddRegion(AkkaConfigurationBuilder akka, IServiceProvider services, EntityExtractor extractor)
    {
        var options = services.GetRequiredService<IOptions<EntityOptions>>().Value;
        var metrics = services.GetRequiredService<CohortMetrics>();
        akka.WithShardRegion<UserRegion>(TypeName, username => UserActor.PropsFor(username, options, metrics),
            extractor, EntityRegions.Options(options, rememberEntities: false));
    }

    public override IActorRef Region(IActorRegistry registry) => registry.Get<UserRegion>();

    public override Parsed<IShardedMessage> ParseCommand(byte[] json, IServiceProvider services) =>
        Parsed<IShardedMessage>.Invalid("users take no commands over Kafka");
}
