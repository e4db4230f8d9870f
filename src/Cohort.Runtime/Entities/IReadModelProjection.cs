using Npgsql;

namespace Cohort.Runtime.Entities;

/// <summary>Adds a batch's read-model writes to its transaction, so queries never see a state the journal lacks.</summary>
public interface IReadModelProjection<TState, TEvent>
{
    /// <param name="changed">The entities the batch changed, each once, with its state and last event number.</param>
    /// <param name="events">Every event of the batch in order, with the state it left behind.</param>
    void AddWrites(NpgsqlBatch batch, IReadOnlyList<EntityChange<TState>> changed, IReadOnlyList<(JournaledEvent<TEvent> Event, TState After)> events, DateTime now);
}

public readonly record struct EntityChange<TState>(string EntityId, long SeqNr, TState State);
