namespace Cohort.Cluster.Hosting;

/// <summary>The cluster singletons running on this node right now, as they report themselves from start to stop.</summary>
public sealed class LocalSingletons
{
    private readonly HashSet<string> running = new(StringComparer.Ordinal);

    public void Started(string name)
    {
        lock (running)
        {
            running.Add(name);
        }
    }

    public void Stopped(string name)
    {
        lock (running)
        {
            running.Remove(name);
        }
    }

    public IReadOnlyList<string> Running
    {
        get
        {
            lock (running)
            {
                return running.Order(StringComparer.Ordinal).ToList();
            }
        }
    }
}
