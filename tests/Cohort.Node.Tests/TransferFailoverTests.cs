using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cohort.Node.Tests.Support;
using Npgsql;
using Xunit.Abstractions;

namespace Cohort.Node.Tests;

/// <summary>
/// The acceptance test of transfers under failover: three node processes, one killed with SIGKILL during a storm of
/// concurrent transfers among 1,000 accounts, most of them between accounts owned by different nodes. The client
/// retries whatever got no definitive answer with the same request id. Afterwards every transfer is completed or
/// rejected and none is half done, each asset's total is what was funded, no balance is negative, the ledger sums
/// to the balances, and reconciliation finds no mismatch.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class TransferFailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Accounts = 1_000;
    private const int Transfers = 3_000;
    private const int Workers = 30;

    /// <summary>Detection, downing, removal margin, allocation and recovery: hocon/cohort.conf.</summary>
    private static readonly TimeSpan FailoverLimit = TimeSpan.FromSeconds(20);

    private readonly TestLog log = new(output);
    private TestCluster cluster = null!;

    public async Task InitializeAsync() => cluster = await TestCluster.StartAsync("transfers", log);

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    [Fact]
    public async Task A_node_killed_during_a_transfer_storm_leaves_every_transfer_whole_and_the_books_balanced()
    {
        try
        {
            await StormAsync();
        }
        catch
        {
            cluster.DumpLogs();
            throw;
        }
    }

    private async Task StormAsync()
    {
        var runId = Guid.NewGuid().ToString("N")[..8];
        var seed = Random.Shared.Next();
        var plan = TransferPlan.Create(runId, Accounts, Transfers, seed);
        var victim = cluster.Nodes[1];
        var survivors = cluster.Nodes.Where(n => n != victim).ToList();
        log.Write($"run {runId}, seed {seed}: {plan.Accounts.Count} accounts funded by {plan.Deposits.Count} deposits " +
            $"({string.Join(", ", plan.FundedTotals.OrderBy(t => t.Key).Select(t => $"{t.Value} {t.Key}"))}); " +
            $"{plan.Transfers.Count} transfers ({plan.Transfers.Count(t => t.Asset == TransferPlan.Btc)} in BTC, " +
            $"{plan.Transfers.Count(t => t.Asset == TransferPlan.Usdt && plan.FullAccounts.Contains(t.To))} crediting USDT to one of the {plan.FullAccounts.Count} accounts at the balance limit) " +
            $"from {Workers} workers; victim {victim.NodeId}");

        var deposits = await FundAsync(plan);

        var before = await ClusterInfo.ReadAsync(cluster.Nodes[0].Http);
        var homes = before.ShardHomes(ClusterInfo.AccountRegion);
        var crossNode = plan.Transfers.Count(t => OwnerOf(homes, t.From) != OwnerOf(homes, t.To));
        log.Write($"after funding: {TestCluster.Describe(before)}");
        log.Write($"{crossNode} of {plan.Transfers.Count} transfers are between accounts hosted by different nodes");
        Assert.True(crossNode > plan.Transfers.Count / 3, $"only {crossNode} transfers are between accounts on different nodes");

        using var client = new RetryingClient(cluster.Nodes, log);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(110));
        var clock = Stopwatch.StartNew();
        var running = client.RunAsync(plan.Transfers.Select(t => t.Request).ToList(), Workers, deadline.Token);
        try
        {
            await KillDuringStormAsync(plan, deposits, homes, client, running, clock, victim, survivors, crossNode);
        }
        finally
        {
            // Stop the workers before the client goes away, whatever failed.
            await deadline.CancelAsync();
            await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(15)));
        }
    }

    /// <summary>Funds every account through HTTP, retrying like the storm does; every deposit must be answered 200.</summary>
    private async Task<List<(PlannedDeposit, RequestOutcome)>> FundAsync(TransferPlan plan)
    {
        var clock = Stopwatch.StartNew();
        using var client = new RetryingClient(cluster.Nodes, log);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var outcomes = await client.RunAsync(plan.Deposits.Select(d => d.Request).ToList(), Workers, deadline.Token);
        var deposits = plan.Deposits.Zip(outcomes, (d, o) => (Deposit: d, Outcome: o)).ToList();
        log.Write($"funding: {deposits.Count} deposits in {clock.Elapsed.TotalSeconds:0.0} s ({deposits.Count / clock.Elapsed.TotalSeconds:0}/s); {client.DescribeRetries()}");
        var failed = deposits.Where(d => d.Outcome.Status != 200).ToList();
        Assert.True(failed.Count == 0, $"{failed.Count} deposits were not answered 200, e.g. " +
            string.Join("; ", failed.Take(5).Select(d => $"{d.Deposit.RequestId}: {d.Outcome.Status} {d.Outcome.Body}")));
        return deposits;
    }

    private async Task KillDuringStormAsync(
        TransferPlan plan,
        List<(PlannedDeposit, RequestOutcome)> deposits,
        Dictionary<string, string> homesBefore,
        RetryingClient client,
        Task<RequestOutcome[]> running,
        Stopwatch clock,
        NodeProcess victim,
        List<NodeProcess> survivors,
        int crossNode)
    {
        await Task.WhenAny(client.WhenAnswered(Transfers / 3), running);
        Assert.False(running.IsCompleted, "the storm finished before the node could be killed");
        var atKill = await ClusterInfo.ReadAsync(survivors[0].Http);
        var accountHomes = atKill.ShardHomes(ClusterInfo.AccountRegion);
        var transferHomes = atKill.ShardHomes(ClusterInfo.TransferRegion);
        var victimAccountShards = accountHomes.Where(h => h.Value == victim.NodeId).Select(h => h.Key).ToHashSet();
        var victimTransferShards = transferHomes.Where(h => h.Value == victim.NodeId).Select(h => h.Key).ToHashSet();
        Assert.NotEmpty(victimAccountShards);

        var killedAt = Stopwatch.GetTimestamp();
        victim.Kill();
        var answeredAtKill = client.Answered;
        var stormSecondsAtKill = clock.Elapsed.TotalSeconds;
        log.Write($"SIGKILL {victim.NodeId} (pid {victim.Pid}) {stormSecondsAtKill:0.0} s into the storm, after {answeredAtKill} answers; " +
            $"it hosted {victimAccountShards.Count} account shards and {victimTransferShards.Count} transfer shards");

        var takeover = cluster.WaitForShardsAsync(survivors[0], victim.NodeId, ClusterInfo.AccountRegion, victimAccountShards, killedAt, TimeSpan.FromSeconds(60));
        var outcomes = await running;
        clock.Stop();
        var stormDuration = clock.Elapsed;
        var transfers = plan.Transfers.Zip(outcomes, (t, o) => (Transfer: t, Outcome: o)).ToList();
        var answered = transfers.Count(t => t.Outcome.Answered);
        var completed = transfers.Count(t => t.Outcome.Status == 200);
        var rejected = transfers.Count(t => t.Outcome.Status == 409);
        var latencies = transfers.Where(t => t.Outcome.Answered)
            .Select(t => Stopwatch.GetElapsedTime(t.Outcome.SentAt, t.Outcome.AnsweredAt).TotalMilliseconds).Order().ToList();
        log.Write($"storm done: {transfers.Count} transfers in {stormDuration.TotalSeconds:0.0} s = {answered / stormDuration.TotalSeconds:0} transfers/s answered " +
            $"({answeredAtKill / stormSecondsAtKill:0}/s before the kill, {(answered - answeredAtKill) / (stormDuration.TotalSeconds - stormSecondsAtKill):0}/s after); " +
            $"{completed} completed, {rejected} rejected ({string.Join(", ", transfers.Where(t => t.Outcome.Status == 409).GroupBy(t => t.Outcome.Code ?? "-").Select(g => $"{g.Key} {g.Count()}"))}), " +
            $"{transfers.Count - completed - rejected} without a definitive 200/409; " +
            $"latency p50 {Percentile(latencies, 0.5):0} ms, p99 {Percentile(latencies, 0.99):0} ms, max {(latencies.Count == 0 ? 0 : latencies[^1]):0} ms");
        log.Write($"storm retries: {client.DescribeRetries()}");
        var retried = transfers.Where(t => t.Outcome.Retries.Count > 0).ToList();
        log.Write($"{retried.Count} transfers needed retries; e.g. " +
            string.Join("; ", retried.Take(5).Select(t => $"{t.Transfer.RequestId}: [{string.Join(" ", t.Outcome.Retries)}] then {t.Outcome.Status} {t.Outcome.Code} from {t.Outcome.AnsweredBy}")));

        var (rehomed, after) = await takeover;
        log.Write($"failover: {victim.NodeId} left and its account shards had homes on the survivors {rehomed.TotalSeconds:0.00} s after the kill: {TestCluster.Describe(after)}");
        var pendingFor = await WaitUntilNoTransferPendingAsync(TimeSpan.FromSeconds(60));
        log.Write($"no transfer pending in transfer_status {pendingFor.TotalSeconds:0.00} s after the storm");
        log.Write($"survivors' counters: {await TestCluster.DescribeCountersAsync(survivors)}");

        // The kill came under load and hit transfers: some touching the victim's shards were answered only after it.
        bool Touches(PlannedTransfer t) => victimAccountShards.Contains(Shards.Of(t.From)) || victimAccountShards.Contains(Shards.Of(t.To))
            || victimTransferShards.Contains(Shards.Of(t.RequestId));
        var inFlightAtKill = transfers.Count(t => t.Outcome.SentAt < killedAt && (!t.Outcome.Answered || t.Outcome.AnsweredAt > killedAt));
        var movedAnswers = transfers.Count(t => t.Outcome.Answered && t.Outcome.AnsweredAt > killedAt && Touches(t.Transfer));
        var crossNodeCompleted = transfers.Count(t => t.Outcome.Status == 200 && OwnerOf(homesBefore, t.Transfer.From) != OwnerOf(homesBefore, t.Transfer.To));
        var served = transfers.Where(t => t.Outcome.Answered && t.Outcome.AnsweredAt > killedAt && Touches(t.Transfer)).ToList();
        var firstServed = served.Count == 0 ? (TimeSpan?)null : Stopwatch.GetElapsedTime(killedAt, served.Min(t => t.Outcome.AnsweredAt));
        log.Write($"{inFlightAtKill} transfers in flight at the kill; {movedAnswers} transfers touching {victim.NodeId}'s shards answered after it, " +
            $"the first {firstServed?.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) ?? "never"} s after it; " +
            $"{crossNodeCompleted} of {completed} completed transfers were between accounts on different nodes ({crossNode} of {transfers.Count} planned)");
        Assert.True(answeredAtKill < Transfers - Workers, $"the kill came too late to be under load ({answeredAtKill} of {Transfers} answered)");
        Assert.True(movedAnswers > 0, $"no transfer touching {victim.NodeId}'s shards was answered after the kill");
        Assert.True(crossNodeCompleted > 0, "no completed transfer was between accounts on different nodes");
        Assert.True(completed > 0 && rejected > 0, $"the storm should complete some transfers and reject some: {completed} completed, {rejected} rejected");
        Assert.True(rehomed < FailoverLimit, $"the victim's account shards had homes again {rehomed.TotalSeconds:0.0} s after the kill, more than {FailoverLimit.TotalSeconds} s");

        var check = await TransferCheck.RunAsync(cluster.ConnectionString, deposits, transfers, plan.FullAccounts);
        log.Write($"books: {check.AccountEvents} account events, {check.TransferEvents} transfer events; " +
            $"{check.Completed} completed, {check.Rejected} rejected ({check.Refunded} after a refund); totals " +
            string.Join(", ", check.BalanceTotals.OrderBy(t => t.Key).Select(t => $"{t.Value} {t.Key} (funded {plan.FundedTotals.GetValueOrDefault(t.Key)})")));
        Assert.True(check.Passed, check.Describe());
        Assert.True(check.Refunded > 0, "no transfer took the refund path (debit, refused credit, refund)");

        await CheckReadApiAsync(survivors[0], transfers);
        await cluster.CheckNoReconciliationAlertAsync(survivors);
        await CheckReconciliationAsync(survivors[0], plan);
    }

    /// <summary>A survivor's <c>GET /api/v1/transfers/{id}</c> tells the same outcome as the POST did, for a sample.</summary>
    private async Task CheckReadApiAsync(NodeProcess node, List<(PlannedTransfer Transfer, RequestOutcome Outcome)> transfers)
    {
        var sample = transfers.Where(t => t.Outcome.Status == 200).Take(15).Concat(transfers.Where(t => t.Outcome.Status == 409).Take(10));
        foreach (var (t, outcome) in sample)
        {
            var view = await node.Http.GetFromJsonAsync<TransferView>($"/api/v1/transfers/{t.RequestId}", ClusterInfo.Json);
            Assert.NotNull(view);
            Assert.Equal((t.RequestId, t.From, t.To, t.Asset, t.Amount), (view.RequestId, view.From, view.To, view.Asset, decimal.Parse(view.Amount, CultureInfo.InvariantCulture)));
            Assert.Equal(outcome.Status == 200 ? ("completed", null) : ("rejected", outcome.Code), (view.Status, view.Reason));
        }
        // And a retry of a finished transfer, with the same request id, answers the same outcome again.
        foreach (var (t, outcome) in sample.Take(5).Concat(sample.TakeLast(5)))
        {
            using var content = new StringContent(t.Request.Body, System.Text.Encoding.UTF8, "application/json");
            using var again = await node.Http.PostAsync(PlannedTransfer.Path, content);
            var body = await again.Content.ReadAsStringAsync();
            Assert.True((int)again.StatusCode == outcome.Status, $"{t}: answered {outcome.Status} first, {(int)again.StatusCode} {body} on a retry");
            Assert.Equal(outcome.Code, RetryingClient.ReadCode(body));
        }
    }

    /// <summary><c>POST /admin/reconcile</c> on a survivor: consistent, no mismatch, nothing stuck, each asset's totals as funded.</summary>
    private async Task CheckReconciliationAsync(NodeProcess node, TransferPlan plan)
    {
        var clock = Stopwatch.StartNew();
        using var response = await node.Http.PostAsync("/admin/reconcile", null);
        var body = await response.Content.ReadAsStringAsync();
        log.Write($"POST /admin/reconcile on {node.NodeId} ({clock.ElapsedMilliseconds} ms): {(int)response.StatusCode} {body}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = JsonSerializer.Deserialize<ReconcileView>(body, ClusterInfo.Json);
        Assert.NotNull(report);
        Assert.True(report.Consistent, $"reconciliation is not consistent: {body}");
        Assert.Empty(report.Mismatches);
        Assert.Equal(0, report.StuckTransfers);
        Assert.Equal(plan.Accounts.Count, report.Accounts);
        foreach (var (asset, funded) in plan.FundedTotals)
        {
            var total = Assert.Single(report.Assets, a => a.Asset == asset);
            Assert.Equal((funded, 0m, funded), (Parse(total.Balances), Parse(total.InFlight), Parse(total.Expected)));
        }
        Assert.Equal(plan.FundedTotals.Count, report.Assets.Count);
    }

    /// <summary>Polls until no row of the <c>transfer_status</c> projection is pending; the time it took.</summary>
    private async Task<TimeSpan> WaitUntilNoTransferPendingAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        await using var conn = new NpgsqlConnection(cluster.ConnectionString);
        await conn.OpenAsync();
        long pending = -1;
        while (clock.Elapsed < timeout)
        {
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM transfer_status WHERE status NOT IN ('completed', 'rejected')", conn);
            pending = (long)(await cmd.ExecuteScalarAsync())!;
            if (pending == 0)
            {
                return clock.Elapsed;
            }
            await Task.Delay(250);
        }
        await using var list = new NpgsqlCommand(
            "SELECT transfer_id || ' ' || status || ' since ' || updated_at FROM transfer_status WHERE status NOT IN ('completed', 'rejected') LIMIT 10", conn);
        var examples = new List<string>();
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                examples.Add(reader.GetString(0));
            }
        }
        throw new TimeoutException($"{pending} transfers are still pending {timeout.TotalSeconds:0} s after the storm, e.g. {string.Join("; ", examples)}");
    }

    private static string OwnerOf(Dictionary<string, string> homes, string accountId) => homes.GetValueOrDefault(Shards.Of(accountId), "nobody");

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static decimal Parse(string text) => decimal.Parse(text, CultureInfo.InvariantCulture);

    private sealed record TransferView(string RequestId, string From, string To, string Asset, string Amount, string Status, string? Reason);

    private sealed record ReconcileView(bool Consistent, long Accounts, long StuckTransfers, List<AssetView> Assets, List<MismatchView> Mismatches);

    private sealed record AssetView(string Asset, string Balances, string InFlight, string Expected);

    private sealed record MismatchView(string Kind, string Subject, string Detail);
}
