namespace Cohort.Runtime.Partitions;

/// <summary>
/// The entities of one partition held in memory by its owner. Only committed states enter it; an entity idle
/// for longer than the passivation time is dropped and recovered from the journal when it is needed again.
/// </summary>
internal sealed class EntityCache<TState>(TimeSpan passivateAfter)
{
    // Sweeping walks the whole cache: often enough to honour the passivation time, rarely enough to cost nothing.
    private readonly long sweepIntervalMs = (long)Math.Min(passivateAfter.TotalMilliseconds, 10_000);
    private readonly Dictionary<string, CachedEntity<TState>> entities = new(StringComparer.Ordinal);
    private long nextSweepTicks;

    public int Count => entities.Count;

    public bool Contains(string entityId) => entities.ContainsKey(entityId);

    public CachedEntity<TState> Get(string entityId)
    {
        var entity = entities[entityId];
        entity.LastUsedTicks = Environment.TickCount64;
        return entity;
    }

    public void Put(string entityId, CachedEntity<TState> entity) => entities[entityId] = entity;

    public void Clear() => entities.Clear();

    /// <summary>Drops idle entities, at most once per sweep interval.</summary>
    public int Passivate()
    {
        var now = Environment.TickCount64;
        if (now < nextSweepTicks)
        {
            return 0;
        }
        nextSweepTicks = now + sweepIntervalMs;
        var idleSince = now - (long)passivateAfter.TotalMilliseconds;
        var idle = entities.Where(e => e.Value.LastUsedTicks < idleSince).Select(e => e.Key).ToList();
        foreach (var id in idle)
        {
            entities.Remove(id);
        }
        return idle.Count;
    }
}
