using System.Diagnostics;
using Cohort.Node.Tests.Support;
using Xunit.Abstractions;

namespace Cohort.Node.Tests;

/// <summary>
/// SIGTERM, as Kubernetes sends it on a rolling update: the node finishes what it has, hands its partitions over,
/// exits with 0, and no acknowledged command is lost or doubled.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class GracefulShutdownTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Accounts = 300;
    private const int Commands = 1_500;
    private const int Workers = 20;

    private readonly TestLog log = new(output);
    private TestCluster cluster = null!;

    public async Task InitializeAsync() => cluster = await TestCluster.StartAsync("graceful", log);

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task A_node_stopped_with_SIGTERM_under_load_exits_cleanly_and_hands_its_partitions_over()
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
        var victim = cluster.Nodes[0];
        var survivors = cluster.Nodes.Where(n => n != victim).ToList();
        log.Write($"run {runId}, seed {seed}: {plan.Count} commands on {Accounts} accounts from {Workers} workers; stopping {victim.NodeId}");

        using var load = new CommandLoad(cluster.Nodes, log);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var running = load.RunAsync(plan, Workers, deadline.Token);
        try
        {
            await Task.WhenAny(load.WhenAnswered(Commands / 3), running);
            Assert.False(running.IsCompleted, "the load finished before the node could be stopped");
            var before = await cluster.ReadCommandOwnersAsync();
            var victimPartitions = before.Where(o => o.Value.NodeId == victim.NodeId).Select(o => o.Key).Order().ToList();
            Assert.NotEmpty(victimPartitions);

            var stoppedAt = Stopwatch.GetTimestamp();
            var answeredAtStop = load.Answered;
            log.Write($"SIGTERM {victim.NodeId} (pid {victim.Pid}) after {answeredAtStop} answers; it owns partitions {string.Join(",", victimPartitions)}");
            var exitCode = await victim.StopAsync(TimeSpan.FromSeconds(45));
            var exited = Stopwatch.GetElapsedTime(stoppedAt);
            log.Write($"{victim.NodeId} exited with code {exitCode} {exited.TotalSeconds:0.00} s after SIGTERM");

            var (handedOver, after) = await cluster.WaitForTakeoverAsync(
                before, victim.NodeId, survivors.Select(n => n.NodeId).ToList(), stoppedAt, TimeSpan.FromSeconds(45));
            log.Write($"partitions on the survivors {handedOver.TotalSeconds:0.00} s after SIGTERM: {TestCluster.Describe(after)}");
            var report = await running;
            log.Write($"load done: {report}");
            log.Write($"survivors' counters: {await TestCluster.DescribeCountersAsync(survivors)}");

            Assert.True(answeredAtStop < Commands - Workers, $"the stop came too late to be under load ({answeredAtStop} of {Commands} answered)");
            Assert.Equal(0, exitCode);
            Assert.Contains("left consumer group", victim.ReadLog());
            var movedAnswers = report.Outcomes.Count(o => o.Definitive && o.AnsweredAt > stoppedAt + (long)(exited.TotalSeconds * Stopwatch.Frequency)
                && victimPartitions.Contains(o.Partition));
            log.Write($"{movedAnswers} commands on {victim.NodeId}'s partitions answered after it exited");
            Assert.True(movedAnswers > 0, $"no command on partitions {string.Join(",", victimPartitions)} was answered after {victim.NodeId} exited");
            Assert.All(victimPartitions, p => Assert.True(
                after[p].NodeId != victim.NodeId && after[p].Epoch > before[p].Epoch, $"partition {p}: before {before[p]}, after {after[p]}"));

            var check = await JournalCheck.RunAsync(cluster.ConnectionString, report.Outcomes);
            log.Write($"journal: {check.JournalEvents} events, {check.RequestResults} request results; balances sum {check.BalanceTotal}, acknowledged {check.AcknowledgedTotal}");
            Assert.True(check.Passed, check.Describe());
        }
        finally
        {
            await deadline.CancelAsync();
            await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(15)));
        }
    }
}
