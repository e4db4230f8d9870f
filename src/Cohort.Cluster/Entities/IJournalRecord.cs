using Cohort.Cluster.Persistence;

namespace Cohort.Cluster.Entities;

/// <summary>One journal row of an entity: an event, or a refused command, with the request that caused it.</summary>
public interface IJournalRecord : ICohortMessage
{
    Stamp Stamp { get; }
}

/// <summary>A journal row holding one domain event.</summary>
public interface IEventRecord<out TEvent> : IJournalRecord
{
    TEvent Event { get; }
}

/// <summary>
/// A refused command, journaled like an event so that its request id answers the same refusal after passivation,
/// recovery and failover. It changes no state.
/// </summary>
public sealed record Refused(Stamp Stamp, string Code, string Message) : IJournalRecord;
