using System.Net.Http.Json;
using System.Text.Json;

namespace Cohort.Node.Tests.Support;

/// <summary>The answer of <c>GET /admin/cluster</c>: the cluster as the answering node's Akka sees it.</summary>
internal sealed record ClusterInfo(string ServedBy, string? Leader, List<ClusterNode> Nodes, SingletonInfo? Singleton, LocalInfo Local)
{
    public const string AccountRegion = "account";
    public const string TransferRegion = "transfer";

    /// <summary>The singletons every cluster runs, each on its oldest member.</summary>
    public static readonly string[] Singletons = ["order-keeper", "projections", "reconciliation"];

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<ClusterInfo> ReadAsync(HttpClient http, CancellationToken ct = default) =>
        await http.GetFromJsonAsync<ClusterInfo>("/admin/cluster", Json, ct)
            ?? throw new InvalidOperationException("/admin/cluster answered null");

    /// <summary>Every shard of <paramref name="region"/> that has a home, and the node hosting it.</summary>
    public Dictionary<string, string> ShardHomes(string region) =>
        Nodes.SelectMany(n => (n.Shards.GetValueOrDefault(region)?.Ids ?? []).Select(id => (id, n.NodeId)))
            .ToDictionary(x => x.id, x => x.NodeId, StringComparer.Ordinal);
}

internal sealed record ClusterNode(string NodeId, string Address, string Status, bool Reachable, List<string> Roles, Dictionary<string, RegionShards> Shards)
{
    public bool Up => Status == "up" && Reachable;
}

internal sealed record RegionShards(int Count, int Entities, List<string> Ids);

internal sealed record SingletonInfo(string NodeId, string Address);

internal sealed record LocalInfo(string NodeId, List<string> Singletons);
