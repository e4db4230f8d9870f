using System.Diagnostics;
using System.Net.Http.Json;
using Cohort.Node.Tests.Support;
using Xunit.Abstractions;

namespace Cohort.Node.Tests;

/// <summary>
/// The acceptance test of failover: the oldest node (it hosts the shard coordinators and the singletons) dies with
/// SIGKILL while a client keeps sending deposits and withdrawals to all three nodes, retrying whatever got no
/// definitive answer with the same request id. No command may be lost or applied twice, every answer must agree with
/// the journal, and the dead node's shards must serve again on the survivors within 20 s.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class FailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Accounts = 1_000;
    private const int Commands = 6_000;
    private const int Workers = 30;
    private const double DepositShare = 0.6;

    /// <summary>Detection (~6 s) + stable-after (5 s) + removal margin (3 s) + allocation and recovery: hocon/cohort.conf.</summary>
    private static readonly TimeSpan FailoverLimit = TimeSpan.FromSeconds(20);

    private readonly TestLog log = new(output);
    private TestCluster cluster = null!;

    public async Task InitializeAsync() => cluster = await TestCluster.StartAsync("failover", log);

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task The_oldest_node_killed_under_load_loses_no_command_applies_none_twice_and_its_shards_serve_again_within_20_s()
    {
        try
        {
            await KillUnderLoadAsync();
        }
        catch
        {
            cluster.DumpLogs();
            throw;
        }
    }

    private async Task KillUnderLoadAsync()
    {
        var runId = Guid.NewGuid().ToString("N")[..8];
        var seed = Random.Shared.Next();
        var plan = CommandLoad.Plan(runId, Accounts, Commands, DepositShare, seed);
        var view = await ClusterInfo.ReadAsync(cluster.Nodes[0].Http);
        var victim = cluster.Nodes.Single(n => n.NodeId == view.Singleton!.NodeId);
        var survivors = cluster.Nodes.Where(n => n != victim).ToList();
        log.Write($"run {runId}, seed {seed}: {plan.Count} commands ({plan.Count(c => c.IsDeposit)} deposits) on {Accounts} accounts from {Workers} workers; " +
            $"victim {victim.NodeId}, the oldest (shard coordinators and singletons)");

        using var load = new CommandLoad(cluster.Nodes, log);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(100));
        var running = load.RunAsync(plan, Workers, deadline.Token);
        try
        {
            await KillDuringAsync(load, running, victim, survivors);
        }
        finally
        {
            // Stop the workers before the client goes away, whatever failed.
            await deadline.CancelAsync();
            await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(15)));
        }
    }

    private async Task KillDuringAsync(CommandLoad load, Task<LoadReport> running, NodeProcess victim, List<NodeProcess> survivors)
    {
        await Task.WhenAny(load.WhenAnswered(Commands / 3), running);
        Assert.False(running.IsCompleted, "the load finished before the node could be killed");
        var before = await ClusterInfo.ReadAsync(survivors[0].Http);
        var victimShards = before.ShardHomes(ClusterInfo.AccountRegion).Where(h => h.Value == victim.NodeId).Select(h => h.Key).ToHashSet();
        Assert.NotEmpty(victimShards);

        var killedAt = Stopwatch.GetTimestamp();
        victim.Kill();
        var answeredAtKill = load.Answered;
        log.Write($"SIGKILL {victim.NodeId} (pid {victim.Pid}) after {answeredAtKill} answers; it hosted account shards " +
            $"{string.Join(",", victimShards.Order(StringComparer.Ordinal))}; before: {TestCluster.Describe(before)}");

        var moved = cluster.WaitForShardsAsync(survivors[0], victim.NodeId, ClusterInfo.AccountRegion, victimShards, killedAt, TimeSpan.FromSeconds(60));
        var report = await running;
        var (rehomed, after) = await moved;
        log.Write($"load done: {report}");
        log.Write($"{victim.NodeId} left the membership and all its account shards had a home on a survivor {rehomed.TotalSeconds:0.00} s after the kill: " +
            TestCluster.Describe(after));
        log.Write($"survivors' counters: {await TestCluster.DescribeCountersAsync(survivors)}");

        Assert.True(answeredAtKill < Commands - Workers, $"the kill came too late to be under load ({answeredAtKill} of {Commands} answered)");
        // Serving again: the first definitive answer, after the kill, to a command for an account of a shard the victim hosted.
        var served = report.Outcomes.Where(o => o.Definitive && o.AnsweredAt > killedAt && victimShards.Contains(o.Shard)).ToList();
        Assert.True(served.Count > 0, $"no command on {victim.NodeId}'s shards was answered after the kill");
        var firstServed = Stopwatch.GetElapsedTime(killedAt, served.Min(o => o.AnsweredAt));
        var shardsServed = served.GroupBy(o => o.Shard).Select(g => Stopwatch.GetElapsedTime(killedAt, g.Min(o => o.AnsweredAt))).Max();
        log.Write($"{served.Count} commands on {victim.NodeId}'s shards answered after the kill; the first {firstServed.TotalSeconds:0.00} s after it, " +
            $"and every one of its {victimShards.Count} shards had answered one {shardsServed.TotalSeconds:0.00} s after it");
        Assert.Equal(victimShards.Count, served.Select(o => o.Shard).Distinct().Count());
        Assert.True(shardsServed < FailoverLimit, $"the victim's shards served again {shardsServed.TotalSeconds:0.0} s after the kill, more than {FailoverLimit.TotalSeconds} s");

        var check = await JournalCheck.RunAsync(cluster.ConnectionString, report.Outcomes);
        log.Write($"journal: {check.JournalEvents} events, {check.JournalRefusals} refusals; balances sum {check.BalanceTotal}, acknowledged {check.AcknowledgedTotal}");
        Assert.True(check.Passed, check.Describe());

        await cluster.CheckNoReconciliationAlertAsync(survivors);

        await CheckReadApiAsync(survivors[0], report.Outcomes);
    }

    /// <summary>The account's own answer on a survivor shows what the client was acknowledged, for a sample of accounts.</summary>
    private static async Task CheckReadApiAsync(NodeProcess node, IReadOnlyList<CommandOutcome> outcomes)
    {
        var expected = outcomes.Where(o => o.Applied).GroupBy(o => o.Command.AccountId)
            .ToDictionary(g => g.Key, g => g.Sum(o => o.Command.IsDeposit ? o.Command.Amount : -o.Command.Amount));
        foreach (var account in expected.Keys.Order(StringComparer.Ordinal).Take(25))
        {
            var body = await node.Http.GetFromJsonAsync<AccountView>($"/api/v1/accounts/{account}", ClusterInfo.Json);
            Assert.NotNull(body);
            Assert.Equal(account, body.AccountId);
            var usdt = Assert.Single(body.Balances);
            Assert.Equal(PlannedCommand.Asset, usdt.Asset);
            Assert.Equal(expected[account], decimal.Parse(usdt.Available, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private sealed record AccountView(string AccountId, List<BalanceView> Balances);

    private sealed record BalanceView(string Asset, string Available, string Frozen);
}
