using Akka.Actor;
using Akka.Hosting;
using Cohort.Cluster.Persistence;

namespace Cohort.Cluster.Entities;

/// <summary>
/// Everything the node must know of one entity type, from its folder: its JSON forms, its shard region, and how
/// its commands read off Kafka. <c>AddCohort</c> lists one module per entity type.
/// </summary>
public abstract class EntityModule
{
    /// <summary>Names the shard region, the persistence ids and the topics (<c>cohort.commands.&lt;type&gt;</c>).</summary>
    public abstract string TypeName { get; }

    /// <summary>False for a type that takes no commands over Kafka: no topic is consumed or created for it.</summary>
    public virtual bool HasCommandTopic => true;

    public abstract void AddFormats(MessageFormats formats);

    public abstract void AddRegion(AkkaConfigurationBuilder akka, IServiceProvider services, EntityExtractor extractor);

    public abstract IActorRef Region(IActorRegistry registry);

    /// <summary>Reads a command message of <c>cohort.commands.&lt;type&gt;</c>.</summary>
    public abstract Parsed<IShardedMessage> ParseCommand(byte[] json, IServiceProvider services);
}
