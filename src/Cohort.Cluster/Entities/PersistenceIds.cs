namespace Cohort.Cluster.Entities;

/// <summary>
/// Journal persistence ids are <c>&lt;type&gt;|&lt;entity id&gt;</c> (<c>account|alice</c>): entity ids never contain
/// '|', so the type prefix is unambiguous, and projections select an entity type by it.
/// </summary>
public static class PersistenceIds
{
    public const char Separator = '|';

    public static string Of(string typeName, string entityId) => $"{typeName}{Separator}{entityId}";

    public static string Prefix(string typeName) => $"{typeName}{Separator}";

    public static bool TrySplit(string persistenceId, out string typeName, out string entityId)
    {
        var at = persistenceId.IndexOf(Separator);
        typeName = at > 0 ? persistenceId[..at] : "";
        entityId = at > 0 ? persistenceId[(at + 1)..] : "";
        return at > 0;
    }
}
