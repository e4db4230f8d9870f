namespace Cohort.Cluster.Tests.Support;

/// <summary>
/// Names no other test uses: tests share their class's node and database, and every class the Kafka topics, so
/// each test works on accounts, transfers and assets of its own.
/// </summary>
internal static class NodeIds
{
    /// <summary>A short unique token to build entity ids from.</summary>
    public static string Run() => Guid.NewGuid().ToString("N")[..10];

    /// <summary>An asset code of its own (A-Z and 0-9, at most 16), so per-asset totals are the test's alone.</summary>
    public static string Asset(string prefix) => $"{prefix}{Guid.NewGuid():N}".ToUpperInvariant()[..16];
}
