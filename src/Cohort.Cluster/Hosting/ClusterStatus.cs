using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Cohort.Cluster.Entities;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Cohort.Cluster.Hosting;

/// <summary>A member as this node sees it.</summary>
public sealed record MemberView(string NodeId, string Address, string Status, bool Reachable, IReadOnlyList<string> Roles, bool IsSelf);

/// <summary>
/// Where a region's shards live: per member address, each shard id with its entity count. <see cref="Known"/> is false
/// when the region's coordinator did not answer (it is moving to another member).
/// </summary>
public sealed record RegionView(string Name, bool Known, IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> ShardsByAddress, IReadOnlyList<string> FailedAddresses);

public sealed record ClusterView(
    string SelfAddress, string? Leader, IReadOnlyList<MemberView> Members, IReadOnlyList<RegionView> Regions, string? SingletonAddress,
    IReadOnlyList<string> LocalSingletons);

/// <summary>The cluster as Akka knows it: members and their reachability, shards per member, where the singletons run.</summary>
public sealed class ClusterStatus(ActorSystem system, ActorRegistry registry, LocalSingletons singletons, IReadOnlyList<EntityModule> modules)
{
    public const string NodeRolePrefix = "node:";

    public bool IsUp => AkkaCluster.Get(system).SelfMember.Status == MemberStatus.Up;

    public async Task<ClusterView> ReadAsync(TimeSpan timeout, CancellationToken ct)
    {
        var cluster = AkkaCluster.Get(system);
        var state = cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var members = state.Members
            .Select(m => new MemberView(NodeIdOf(m), m.Address.ToString(), m.Status.ToString().ToLowerInvariant(), !unreachable.Contains(m.Address),
                m.Roles.Order(StringComparer.Ordinal).ToList(), m.Address == cluster.SelfAddress))
            .ToList();
        var regions = await Task.WhenAll(modules.Select(m => RegionAsync(m.TypeName, m.Region(registry), timeout, ct)));
        // A cluster singleton runs on the oldest member of its role.
        var oldest = state.Members.Where(m => m.Status == MemberStatus.Up && m.HasRole(CohortHosting.Role))
            .Aggregate((Member?)null, (o, m) => o is null || m.IsOlderThan(o) ? m : o);
        return new ClusterView(cluster.SelfAddress.ToString(), state.Leader?.ToString(), members, regions, oldest?.Address.ToString(), singletons.Running);
    }

    public static string NodeIdOf(Member member) =>
        member.Roles.FirstOrDefault(r => r.StartsWith(NodeRolePrefix, StringComparison.Ordinal))?[NodeRolePrefix.Length..] ?? member.Address.ToString();

    private static async Task<RegionView> RegionAsync(string name, IActorRef region, TimeSpan timeout, CancellationToken ct)
    {
        ClusterShardingStats stats;
        try
        {
            stats = await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(timeout), timeout + TimeSpan.FromSeconds(1), ct);
        }
        catch (AskTimeoutException)
        {
            return new RegionView(name, false, new Dictionary<string, IReadOnlyDictionary<string, int>>(), []);
        }
        var byAddress = new Dictionary<string, IReadOnlyDictionary<string, int>>(StringComparer.Ordinal);
        var failed = new List<string>();
        foreach (var (address, regionStats) in stats.Regions)
        {
            byAddress[address.ToString()] = regionStats.Stats.ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
            if (regionStats.Failed.Count > 0)
            {
                failed.Add(address.ToString());
            }
        }
        return new RegionView(name, true, byAddress, failed);
    }
}
