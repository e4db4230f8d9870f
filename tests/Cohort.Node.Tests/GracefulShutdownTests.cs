using System.Diagnostics;
using Cohort.Node.Tests.Support;
using Xunit.Abstractions;

namespace Cohort.Node.Tests;

/// <summary>
/// SIGTERM, as Kubernetes sends it on a rolling update: the node stops consuming, finishes what it has, leaves the
/// cluster handing its shards over, exits with 0, and no acknowledged command is lost or doubled.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class GracefulShutdownTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Accounts = 300;
    // Two thirds of them come after the SIGTERM: enough to outlast the node's exit (about 2.5 s) several times over.
    // With 1,500 the load once ended 0.5 s after the exit, before any command reached the moved shards.
    private const int Commands = 4_500;
    private const int Workers = 20;

    private readonly TestLog log = new(output);
    private TestCluster cluster = null!;

    public async Task InitializeAsync() => cluster = await TestCluster.StartAsync("graceful", log);

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task A_node_stopped_with_SIGTERM_under_load_exits_cleanly_and_hands_its_shards_over()
    {
        try
        {
            await StopUnderLoadAsync();
        }
        catch
        {
            cluster.DumpLogs();
            throw;
        }
    }

    private async Task StopUnderLoadAsync()
    {
        var runId = Guid.NewGuid().ToString("N")[..8];
        var seed = Random.Shared.Next();
        var plan = CommandLoad.Plan(runId, Accounts, Commands, 0.6, seed);
        var victim = cluster.Nodes[1];
        var survivors = cluster.Nodes.Where(n => n != victim).ToList();
        log.Write($"run {runId}, seed {seed}: {plan.Count} commands on {Accounts} accounts from {Workers} workers; stopping {victim.NodeId}");

        using var load = new CommandLoad(cluster.Nodes, log);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var running = load.RunAsync(plan, Workers, deadline.Token);
        try
        {
            await Task.WhenAny(load.WhenAnswered(Commands / 3), running);
            Assert.False(running.IsCompleted, "the load finished before the node could be stopped");
            var before = await ClusterInfo.ReadAsync(survivors[0].Http);
            var victimShards = before.ShardHomes(ClusterInfo.AccountRegion).Where(h => h.Value == victim.NodeId).Select(h => h.Key).ToHashSet();
            Assert.NotEmpty(victimShards);

            var stoppedAt = Stopwatch.GetTimestamp();
            var answeredAtStop = load.Answered;
            log.Write($"SIGTERM {victim.NodeId} (pid {victim.Pid}) after {answeredAtStop} answers; it hosts account shards {string.Join(",", victimShards.Order(StringComparer.Ordinal))}");
            var exitCode = await victim.StopAsync(TimeSpan.FromSeconds(45));
            var exited = Stopwatch.GetElapsedTime(stoppedAt);
            log.Write($"{victim.NodeId} exited with code {exitCode} {exited.TotalSeconds:0.00} s after SIGTERM");

            var (handedOver, after) = await cluster.WaitForShardsAsync(
                survivors[0], victim.NodeId, ClusterInfo.AccountRegion, victimShards, stoppedAt, TimeSpan.FromSeconds(45));
            log.Write($"{victim.NodeId}'s shards on the survivors {handedOver.TotalSeconds:0.00} s after SIGTERM: {TestCluster.Describe(after)}");
            var report = await running;
            log.Write($"load done: {report}");
            log.Write($"survivors' counters: {await TestCluster.DescribeCountersAsync(survivors)}");

            Assert.True(answeredAtStop < Commands - Workers, $"the stop came too late to be under load ({answeredAtStop} of {Commands} answered)");
            Assert.Equal(0, exitCode);
            Assert.Contains("left consumer group", victim.ReadLog());
            var movedAnswers = report.Outcomes.Count(o => o.Definitive && o.AnsweredAt > stoppedAt + (long)(exited.TotalSeconds * Stopwatch.Frequency)
                && victimShards.Contains(o.Shard));
            log.Write($"{movedAnswers} commands on {victim.NodeId}'s shards answered after it exited");
            Assert.True(movedAnswers > 0, $"no command on shards {string.Join(",", victimShards)} was answered after {victim.NodeId} exited");
            // A clean leave: the survivors saw it go, and never had to down it.
            Assert.Contains("Exiting completed", victim.ReadLog());

            var check = await JournalCheck.RunAsync(cluster.ConnectionString, report.Outcomes);
            log.Write($"journal: {check.JournalEvents} events, {check.JournalRefusals} refusals; balances sum {check.BalanceTotal}, acknowledged {check.AcknowledgedTotal}");
            Assert.True(check.Passed, check.Describe());
        }
        finally
        {
            await deadline.CancelAsync();
            await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(15)));
        }
    }
}
