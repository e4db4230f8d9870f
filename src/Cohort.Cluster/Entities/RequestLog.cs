namespace Cohort.Cluster.Entities;

/// <summary>A request id an entity remembers: the hash of its command and the first answer it got.</summary>
public sealed record LoggedRequest(Stamp Stamp, CommandReply Reply);

/// <summary>
/// The request ids an entity answered within the retention, each with its first answer, rebuilt from the journal
/// and snapshots. Commands arrive in time order, so the oldest are pruned from the front.
/// </summary>
public sealed class RequestLog
{
    private readonly Dictionary<string, LoggedRequest> byId = new(StringComparer.Ordinal);
    private readonly Queue<LoggedRequest> byAge = new();

    public int Count => byId.Count;

    public bool TryGet(string requestId, out LoggedRequest logged) => byId.TryGetValue(requestId, out logged!);

    /// <summary>Remembers an answer; a later record of the same request (a command with several events) replaces it.</summary>
    public void Add(LoggedRequest logged)
    {
        byId[logged.Stamp.RequestId] = logged;
        byAge.Enqueue(logged);
    }

    public void Prune(DateTime horizon)
    {
        while (byAge.TryPeek(out var oldest) && oldest.Stamp.At < horizon)
        {
            byAge.Dequeue();
            if (byId.TryGetValue(oldest.Stamp.RequestId, out var current) && ReferenceEquals(current, oldest))
            {
                byId.Remove(oldest.Stamp.RequestId);
            }
        }
    }

    /// <summary>A copy, in age order, for a snapshot: the snapshot store serializes it on another thread.</summary>
    public LoggedRequest[] ToArray() => byAge.Where(l => byId.TryGetValue(l.Stamp.RequestId, out var c) && ReferenceEquals(c, l)).ToArray();
}
