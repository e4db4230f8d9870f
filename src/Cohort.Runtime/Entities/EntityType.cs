using System.Text.Json;
using Cohort.Domain;
using Confluent.Kafka;

namespace Cohort.Runtime.Entities;

/// <summary>
/// Everything the runtime must know to host one kind of entity: the domain's decide/evolve, and how its
/// commands, events and state look on the wire and in the journal.
/// </summary>
public abstract class EntityType<TState, TCommand, TEvent>
    where TState : class
    where TCommand : class
    where TEvent : class
{
    /// <summary>Type name: names its topics (<c>cohort.commands.account</c>) and its journal rows.</summary>
    public abstract string Name { get; }

    public abstract TState Initial(string entityId);

    public abstract Decision<TEvent> Decide(TState state, TCommand command);

    public abstract TState Evolve(TState state, TEvent @event);

    /// <summary>Reads a command message; the headers tell answers from other entities apart from plain commands.</summary>
    public abstract ParsedCommand<TCommand> ParseCommand(Message<string?, byte[]> message);

    public abstract string EventType(TEvent @event);

    public abstract string SerializeEvent(TEvent @event);

    public abstract TEvent DeserializeEvent(string eventType, string json);

    public abstract string SerializeState(TState state);

    public abstract TState DeserializeState(string entityId, string json);

    /// <summary>Writes the body of a successful answer, given the state after the command.</summary>
    public abstract void WriteAnswer(Utf8JsonWriter writer, string requestId, TState state, TCommand command, long seqNr);

    /// <summary>The tables kept current in the same transaction as the events; null when there are none.</summary>
    public virtual IReadModelProjection<TState, TEvent>? ReadModel => null;

    /// <summary>
    /// The messages a journaled event sends. They are derived from the event alone, so that a new owner
    /// recovering the partition sends exactly the same ones again for events not yet confirmed as sent.
    /// </summary>
    public virtual void Publish(JournaledEvent<TEvent> journaled, List<OutboundMessage> into)
    {
    }
}
