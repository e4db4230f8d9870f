using System.Diagnostics;
using Cohort.Node.Tests.Support;
using Xunit.Abstractions;

namespace Cohort.Node.Tests;

/// <summary>The cluster singletons (reconciliation and the projections) move to a survivor when their node dies, and run there alone.</summary>
[Collection(NodeCollection.Name)]
public sealed class SingletonFailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>Detection, downing and the removal margin of hocon/cohort.conf, then the singletons' start.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    private readonly TestLog log = new(output);
    private TestCluster cluster = null!;

    public async Task InitializeAsync() => cluster = await TestCluster.StartAsync("singleton", log);

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task The_singletons_move_to_one_survivor_when_their_node_is_killed()
    {
        try
        {
            await KillTheSingletonsNodeAsync();
        }
        catch
        {
            cluster.DumpLogs();
            throw;
        }
    }

    private async Task KillTheSingletonsNodeAsync()
    {
        var before = await ClusterInfo.ReadAsync(cluster.Nodes[0].Http);
        Assert.NotNull(before.Singleton);
        var victim = Assert.Single(cluster.Nodes, n => n.NodeId == before.Singleton.NodeId);
        var survivors = cluster.Nodes.Where(n => n != victim).ToList();
        log.Write($"singletons on {victim.NodeId}: {TestCluster.Describe(before)}");

        var killedAt = Stopwatch.GetTimestamp();
        victim.Kill();
        log.Write($"SIGKILL {victim.NodeId} (pid {victim.Pid})");

        var (runner, took) = await WaitForSingletonsAsync(survivors, killedAt);
        log.Write($"singletons running on {runner.NodeId} {took.TotalSeconds:0.00} s after the kill");
        Assert.True(took < Limit, $"the singletons took {took.TotalSeconds:0.0} s to move, more than {Limit.TotalSeconds} s");

        // The survivors agree, and the other one runs none of them.
        var settled = await cluster.WaitUntilSettledAsync(survivors, TimeSpan.FromSeconds(30));
        log.Write($"settled: {TestCluster.Describe(settled)}");
        Assert.Equal(runner.NodeId, settled.Singleton?.NodeId);
        var other = await ClusterInfo.ReadAsync(survivors.Single(n => n != runner).Http);
        Assert.Empty(other.Local.Singletons);

        // And they work there: a full reconciliation, answered by the moved singleton, finds the books consistent.
        using var reconcile = await survivors[0].Http.PostAsync("/admin/reconcile", null);
        var body = await reconcile.Content.ReadAsStringAsync();
        log.Write($"POST /admin/reconcile: {(int)reconcile.StatusCode} {body}");
        Assert.True(reconcile.IsSuccessStatusCode, body);
        Assert.Contains("\"consistent\":true", body);
    }

    /// <summary>Polls the survivors until one of them runs every singleton; which one, and when.</summary>
    private static async Task<(NodeProcess Runner, TimeSpan Took)> WaitForSingletonsAsync(IReadOnlyList<NodeProcess> survivors, long since)
    {
        var last = "nothing read";
        while (Stopwatch.GetElapsedTime(since) < TimeSpan.FromSeconds(60))
        {
            foreach (var node in survivors)
            {
                try
                {
                    var info = await ClusterInfo.ReadAsync(node.Http);
                    if (info.Local.Singletons.Order(StringComparer.Ordinal).SequenceEqual(ClusterInfo.Singletons))
                    {
                        return (node, Stopwatch.GetElapsedTime(since));
                    }
                    last = TestCluster.Describe(info);
                }
                catch (HttpRequestException e)
                {
                    last = e.Message;
                }
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"no survivor ran every singleton within 60 s; last seen: {last}");
    }
}
