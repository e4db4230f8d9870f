using System.Diagnostics;
using System.Net.Http.Json;
using Cohort.Node.Tests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace Cohort.Node.Tests;

/// <summary>
/// The acceptance test of failover: a node dies with SIGKILL while a client keeps sending deposits and
/// withdrawals, retrying whatever got no definitive answer. No command may be lost or applied twice, every answer
/// must agree with the journal, and the dead node's partitions must move to the survivors in bounded time.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class FailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Accounts = 1_000;
    private const int Commands = 6_000;
    private const int Workers = 30;
    private const double DepositShare = 0.6;

    // Kafka's session timeout (6 s, as the nodes are started) plus recovery.
    private static readonly TimeSpan FailoverLimit = TimeSpan.FromSeconds(6 + 30);

    private readonly TestLog log = new(output);
    private TestCluster cluster = null!;

    public async Task InitializeAsync() => cluster = await TestCluster.StartAsync("failover", log);

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task A_node_killed_under_load_loses_no_command_and_applies_none_twice()
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
        var victim = cluster.Nodes[1];
        var survivors = cluster.Nodes.Where(n => n != victim).ToList();
        log.Write($"run {runId}, seed {seed}: {plan.Count} commands ({plan.Count(c => c.IsDeposit)} deposits) on {Accounts} accounts from {Workers} workers; victim {victim.NodeId}");

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
        var survivorIds = survivors.Select(n => n.NodeId).ToList();
        await Task.WhenAny(load.WhenAnswered(Commands / 3), running);
        Assert.False(running.IsCompleted, "the load finished before the node could be killed");
        var before = await cluster.ReadCommandOwnersAsync();
        var victimPartitions = before.Where(o => o.Value.NodeId == victim.NodeId).Select(o => o.Key).Order().ToList();
        Assert.NotEmpty(victimPartitions);

        var killedAt = Stopwatch.GetTimestamp();
        var killedAtUtc = DateTime.UtcNow;
        victim.Kill();
        var answeredAtKill = load.Answered;
        log.Write($"SIGKILL {victim.NodeId} (pid {victim.Pid}) after {answeredAtKill} answers; it owned partitions {string.Join(",", victimPartitions)}; owners before: {TestCluster.Describe(before)}");

        var takeover = cluster.WaitForTakeoverAsync(before, victim.NodeId, survivorIds, killedAt, TimeSpan.FromSeconds(60));
        var report = await running;
        var (failover, after) = await takeover;
        log.Write($"load done: {report}");
        log.Write($"failover: {victim.NodeId}'s partitions owned by survivors {failover.TotalSeconds:0.00} s after the kill: {TestCluster.Describe(after)}");
        var firstWrite = await FirstWriteAfterAsync(victimPartitions, killedAtUtc);
        log.Write($"first journal write on partitions {string.Join(",", victimPartitions)} after the kill: " +
            (firstWrite is { } w ? $"{(w - killedAtUtc).TotalSeconds:0.00} s after it" : "none"));
        var view = await ClusterInfo.ReadAsync(survivors[0].Http);
        log.Write($"/admin/cluster on {survivors[0].NodeId}: {TestCluster.Describe(view)}");
        log.Write($"survivors' counters: {await TestCluster.DescribeCountersAsync(survivors)}");

        Assert.True(answeredAtKill < Commands - Workers, $"the kill came too late to be under load ({answeredAtKill} of {Commands} answered)");
        var movedAnswers = report.Outcomes.Count(o => o.Definitive && o.AnsweredAt > killedAt && victimPartitions.Contains(o.Partition));
        log.Write($"{movedAnswers} commands on {victim.NodeId}'s partitions answered after the kill");
        Assert.True(movedAnswers > 0, $"no command on partitions {string.Join(",", victimPartitions)} was answered after the kill");
        Assert.All(victimPartitions, p => Assert.True(
            survivorIds.Contains(after[p].NodeId) && after[p].Epoch > before[p].Epoch,
            $"partition {p}: before {before[p]}, after {after[p]}"));
        Assert.True(failover < FailoverLimit, $"failover took {failover.TotalSeconds:0.0} s, more than {FailoverLimit.TotalSeconds} s");

        var check = await JournalCheck.RunAsync(cluster.ConnectionString, report.Outcomes);
        log.Write($"journal: {check.JournalEvents} events, {check.RequestResults} request results; balances sum {check.BalanceTotal}, acknowledged {check.AcknowledgedTotal}");
        Assert.True(check.Passed, check.Describe());

        await cluster.CheckNoReconciliationAlertAsync(survivors);

        await CheckReadApiAsync(survivors[0], report.Outcomes);
    }

    /// <summary>The HTTP read side of a survivor shows what the client was acknowledged, for a sample of accounts.</summary>
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

    private async Task<DateTime?> FirstWriteAfterAsync(List<int> partitions, DateTime since)
    {
        await using var conn = new NpgsqlConnection(cluster.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT min(written_at) FROM journal WHERE kafka_partition = ANY($1) AND written_at > $2", conn);
        cmd.Parameters.AddWithValue(partitions.ToArray());
        cmd.Parameters.AddWithValue(since);
        return await cmd.ExecuteScalarAsync() is DateTime t ? t : null;
    }

    private sealed record AccountView(string AccountId, List<BalanceView> Balances);

    private sealed record BalanceView(string Asset, string Available, string Frozen);
}
