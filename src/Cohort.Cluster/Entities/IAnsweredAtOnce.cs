namespace Cohort.Cluster.Entities;

/// <summary>
/// A command that a module's parser could answer without its entity (a flash-sale purchase of a product the node's
/// sold-out board holds as sold out): command ingestion sends <see cref="Reply"/> instead of asking the shard region,
/// so such commands cost neither an entity nor the database. Never sent to an actor.
/// </summary>
public interface IAnsweredAtOnce : IShardedMessage
{
    CommandReply Reply { get; }
}
