using System.Diagnostics;
using Cohort.Node.Tests.Support;
using Xunit.Abstractions;

namespace Cohort.Node.Tests;

/// <summary>The cluster singleton moves to a survivor, with a higher epoch, when its node dies.</summary>
[Collection(NodeCollection.Name)]
public sealed class SingletonFailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(40);

    private readonly TestLog log = new(output);
    private TestCluster cluster = null!;

    public async Task InitializeAsync() => cluster = await TestCluster.StartAsync("singleton", log);

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task The_singleton_moves_to_a_survivor_with_a_higher_epoch_when_its_node_is_killed()
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
        log.Write($"singleton on {victim.NodeId} with epoch {before.Singleton.Epoch}: {TestCluster.Describe(before)}");

        var killedAt = Stopwatch.GetTimestamp();
        victim.Kill();
        log.Write($"SIGKILL {victim.NodeId} (pid {victim.Pid})");

        var (moved, took) = await WaitForSingletonAsync(survivors[0], victim.NodeId, before.Singleton.Epoch, killedAt);
        log.Write($"singleton on {moved.Singleton!.NodeId} with epoch {moved.Singleton.Epoch} {took.TotalSeconds:0.00} s after the kill: {TestCluster.Describe(moved)}");

        var runner = Assert.Single(survivors, n => n.NodeId == moved.Singleton.NodeId);
        Assert.True(moved.Singleton.Epoch > before.Singleton.Epoch, $"epoch {moved.Singleton.Epoch} is not above {before.Singleton.Epoch}");
        Assert.True(took < Limit, $"the singleton took {took.TotalSeconds:0.0} s to move, more than {Limit.TotalSeconds} s");
        // The new owner really runs it, with the epoch the table shows; the other survivor does not.
        var local = await ClusterInfo.ReadAsync(runner.Http);
        Assert.Contains(local.Local.Owned, p => p.Topic == ClusterInfo.SingletonTopic && p.Epoch == moved.Singleton.Epoch);
        var other = await ClusterInfo.ReadAsync(survivors.Single(n => n != runner).Http);
        Assert.DoesNotContain(other.Local.Owned, p => p.Topic == ClusterInfo.SingletonTopic);
    }

    /// <summary>Polls a survivor's <c>/admin/cluster</c> until the singleton is on another node with a higher epoch.</summary>
    private static async Task<(ClusterInfo Info, TimeSpan Took)> WaitForSingletonAsync(NodeProcess survivor, string gone, long epoch, long since)
    {
        var last = "nothing read";
        while (Stopwatch.GetElapsedTime(since) < TimeSpan.FromSeconds(60))
        {
            try
            {
                var info = await ClusterInfo.ReadAsync(survivor.Http);
                if (info.Singleton is { } s && s.NodeId != gone && s.Epoch > epoch)
                {
                    return (info, Stopwatch.GetElapsedTime(since));
                }
                last = TestCluster.Describe(info);
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"the singleton did not leave {gone} within 60 s; last seen: {last}");
    }
}
