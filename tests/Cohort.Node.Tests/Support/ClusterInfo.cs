using System.Net.Http.Json;
using System.Text.Json;

namespace Cohort.Node.Tests.Support;

/// <summary>The answer of <c>GET /admin/cluster</c>.</summary>
internal sealed record ClusterInfo(string ServedBy, List<ClusterNode> Nodes, SingletonInfo? Singleton, LocalInfo Local)
{
    public const string CommandTopic = "cohort.commands.account";
    public const string SingletonTopic = "cohort.singleton";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<ClusterInfo> ReadAsync(HttpClient http, CancellationToken ct = default) =>
        await http.GetFromJsonAsync<ClusterInfo>("/admin/cluster", Json, ct)
            ?? throw new InvalidOperationException("/admin/cluster answered null");

    /// <summary>Command partitions as PostgreSQL records them: partition to (owner, epoch).</summary>
    public Dictionary<int, (string NodeId, long Epoch)> CommandOwners() =>
        Nodes.SelectMany(n => (n.Partitions.GetValueOrDefault(CommandTopic) ?? []).Select(p => (p.Partition, n.NodeId, p.Epoch)))
            .ToDictionary(x => x.Partition, x => (x.NodeId, x.Epoch));

    public List<int> LocalCommandPartitions() =>
        Local.Owned.Where(p => p.Topic == CommandTopic).Select(p => p.Partition).Order().ToList();
}

internal sealed record ClusterNode(string NodeId, string Url, string Status, Dictionary<string, List<PartitionInfo>> Partitions)
{
    public bool Up => Status == "up";
}

internal sealed record PartitionInfo(int Partition, long Epoch);

internal sealed record SingletonInfo(string NodeId, long Epoch);

internal sealed record LocalInfo(string NodeId, List<OwnedInfo> Owned);

internal sealed record OwnedInfo(string Topic, int Partition, long Epoch, bool Recovering);
