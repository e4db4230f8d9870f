using System.Text.Json;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Metrics;
using Cohort.Cluster.Persistence;
using Cohort.Domain;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cohort.Cluster.Tests.Kafka.Poison;

/// <summary>
/// A test-only entity type, hosted next to the production ones: its commands arrive on
/// <c>cohort.commands.poison</c> as <c>{"requestId","entityId","op","value"}</c>.
/// </summary>
public sealed class PoisonModule : EntityModule
{
    public override string TypeName => PoisonRegion.TypeName;

    public override void AddFormats(MessageFormats formats) => PoisonFormats.Register(formats);

    public override void AddRegion(AkkaConfigurationBuilder akka, IServiceProvider services, EntityExtractor extractor)
    {
        var options = services.GetRequiredService<IOptions<EntityOptions>>().Value;
        var metrics = services.GetRequiredService<CohortMetrics>();
        akka.WithShardRegion<PoisonRegion>(TypeName, entityId => PoisonEntity.PropsFor(entityId, options, metrics),
            extractor, EntityRegions.Options(options, rememberEntities: false));
    }

    public override IActorRef Region(IActorRegistry registry) => registry.Get<PoisonRegion>();

    public override Parsed<IShardedMessage> ParseCommand(byte[] json, IServiceProvider services)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Parsed<IShardedMessage>.Invalid("the command must be a JSON object");
            }
            var requestId = root.OptionalString("requestId");
            var entityId = root.OptionalString("entityId");
            var op = root.OptionalString("op");
            var value = root.OptionalString("value") ?? "";
            if (!Identifier.IsValid(requestId) || !Identifier.IsValid(entityId))
            {
                return Parsed<IShardedMessage>.Invalid("requestId and entityId are required identifiers");
            }
            if (op is not (PoisonCommand.Append or PoisonCommand.Explode))
            {
                return Parsed<IShardedMessage>.Invalid($"op '{op}' is not {PoisonCommand.Append} or {PoisonCommand.Explode}");
            }
            return Parsed<IShardedMessage>.Valid(
                new PoisonCommandEnvelope(entityId!, requestId!, RequestHash.Of($"{op}\n{entityId}\n{value}"), new PoisonCommand(op, value)));
        }
        catch (JsonException e)
        {
            return Parsed<IShardedMessage>.Invalid($"the command is not valid JSON: {e.Message}");
        }
    }
}
