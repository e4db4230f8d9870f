using Cohort.Cluster.Persistence;

namespace Cohort.Cluster.Entities;

/// <summary>
/// What sharding sends an entity to passivate it or hand it off: it stops once every command it accepted is
/// written and answered, instead of dropping them as a PoisonPill would.
/// </summary>
public sealed record StopEntity : ICohortMessage
{
    public static readonly StopEntity Instance = new();
}
