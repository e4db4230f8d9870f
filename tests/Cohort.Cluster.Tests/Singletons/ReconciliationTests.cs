using System.Text.Json;
using Akka.Hosting;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Entities.Transfers;
using Cohort.Cluster.Kafka;
using Cohort.Cluster.Singletons;
using Cohort.Cluster.Tests.Support;
using Cohort.Domain.Accounts;
using Cohort.Domain.Transfers;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Cohort.Cluster.Tests.Singletons;

/// <summary>
/// Reconciliation over books a node wrote: whole books agree, and each kind of damage done to the reporting tables
/// behind the node's back is found and named. Each test damages rows of its own and repairs them after, since the
/// class's tests share one database.
/// </summary>
[Collection(InProcessNodeCollection.Name)]
public sealed class ReconciliationTests(ReconciliationTests.Node fixture, ITestOutputHelper output) : IClassFixture<ReconciliationTests.Node>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StuckAfter = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan OrderMargin = TimeSpan.FromMinutes(5);

    public sealed class Node() : InProcessNodeFixture("reconciliation")
    {
        // No periodic runs: only the tests' own, so the gauge shows the run a test asked for.
        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            ["Cohort:Reconciliation:Interval"] = "01:00:00",
            ["Cohort:Reconciliation:FullInterval"] = "1.00:00:00",
            ["Cohort:Reconciliation:StuckTransferAfter"] = StuckAfter.ToString(),
        };
    }

    private Reconciler Reconciler => new(fixture.Database.DataSource);

    [Fact]
    public async Task Books_the_node_wrote_have_no_mismatch()
    {
        var (a, b, asset) = await WriteBooksAsync("ok");

        var full = await Reconciler.RunAsync(ReconciliationScope.Full, StuckAfter, OrderMargin, CancellationToken.None);
        Assert.Empty(full.Mismatches);
        var total = Assert.Single(full.Assets, t => t.Asset == asset);
        Assert.Equal((60m, 0m, 60m), (total.Balances, total.InFlight, total.Expected));
        Assert.True(full.Records >= 7, $"a full run summed {full.Records} account records");
        Assert.Empty((await Reconciler.RunAsync(ReconciliationScope.Totals, StuckAfter, OrderMargin, CancellationToken.None)).Mismatches);
        output.WriteLine($"accounts {a}, {b}: {full.Accounts} accounts, {full.Records} records at ordering {full.Offset}");
    }

    [Fact]
    public async Task A_balance_row_that_disagrees_with_the_journal_is_found_by_a_full_run()
    {
        var (a, _, asset) = await WriteBooksAsync("bal");
        await TamperAsync(
            ("UPDATE balances SET available = available + 1 WHERE account_id = $1 AND asset = $2", [a, asset]),
            ("UPDATE balances SET available = available - 1 WHERE account_id = $1 AND asset = $2", [a, asset]),
            async () =>
            {
                var full = await Reconciler.RunAsync(ReconciliationScope.Full, StuckAfter, OrderMargin, CancellationToken.None);
                Assert.Contains(full.Mismatches, m => m.Kind == "journal_vs_balances" && m.Subject == $"{a}/{asset}");
                // The cheap checks read no journal: they cannot see it.
                var totals = await Reconciler.RunAsync(ReconciliationScope.Totals, StuckAfter, OrderMargin, CancellationToken.None);
                Assert.DoesNotContain(totals.Mismatches, m => m.Subject == $"{a}/{asset}");
            });
    }

    [Fact]
    public async Task Contradictory_legs_of_a_transfer_are_found()
    {
        var (_, _, asset) = await WriteBooksAsync("legs");
        var transferId = $"legs-{NodeIds.Run()}-forged";
        // Credited and refunded: the receiver and the sender both got the money.
        await TamperAsync(
            ("INSERT INTO transfer_legs VALUES ($1, $2, 5, 5, 5, 1, 1, 1)", [transferId, asset]),
            ("DELETE FROM transfer_legs WHERE transfer_id = $1", [transferId]),
            async () =>
            {
                var totals = await Reconciler.RunAsync(ReconciliationScope.Totals, StuckAfter, OrderMargin, CancellationToken.None);
                var mismatch = Assert.Single(totals.Mismatches, m => m.Kind == "contradictory_legs");
                Assert.Equal(transferId, mismatch.Subject);
            });
    }

    [Fact]
    public async Task A_transfer_pending_longer_than_allowed_is_reported_stuck()
    {
        var (a, b, asset) = await WriteBooksAsync("stuck");
        var (stuck, recent) = ($"stuck-{NodeIds.Run()}-old", $"stuck-{NodeIds.Run()}-new");
        await TamperAsync(
            ("""
                INSERT INTO transfer_status VALUES
                    ($1, $3, $4, $5, 1, 'pending', NULL, 1, now() - interval '1 hour'),
                    ($2, $3, $4, $5, 1, 'pending', NULL, 1, now())
                """, [stuck, recent, a, b, asset]),
            ("DELETE FROM transfer_status WHERE transfer_id IN ($1, $2)", [stuck, recent]),
            async () =>
            {
                var totals = await Reconciler.RunAsync(ReconciliationScope.Totals, StuckAfter, OrderMargin, CancellationToken.None);
                var mismatch = Assert.Single(totals.Mismatches, m => m.Kind == "stuck_transfer");
                Assert.Equal(stuck, mismatch.Subject);
                Assert.Equal(1, totals.StuckTransfers);
            });
    }

    [Fact]
    public async Task Asset_totals_that_do_not_add_up_are_found()
    {
        var (_, _, asset) = await WriteBooksAsync("total");
        await TamperAsync(
            ("UPDATE asset_flows SET expected = expected + 0.01 WHERE asset = $1", [asset]),
            ("UPDATE asset_flows SET expected = expected - 0.01 WHERE asset = $1", [asset]),
            async () =>
            {
                var totals = await Reconciler.RunAsync(ReconciliationScope.Totals, StuckAfter, OrderMargin, CancellationToken.None);
                var mismatch = Assert.Single(totals.Mismatches);
                Assert.Equal(("asset_total", asset), (mismatch.Kind, mismatch.Subject));
            });
    }

    [Fact]
    public async Task The_singleton_alerts_on_kafka_and_sets_the_gauge_for_what_it_finds()
    {
        output.WriteLine($"node log: {fixture.Node.LogPath}");
        using var metrics = new MeterReader(fixture.Node.Metrics);
        var reconciliation = await fixture.Node.Services.GetRequiredService<IRequiredActor<ReconciliationActor>>().GetAsync();
        var (_, _, asset) = await WriteBooksAsync("alert");

        await TamperAsync(
            ("UPDATE asset_flows SET held = held - 1 WHERE asset = $1", [asset]),
            ("UPDATE asset_flows SET held = held + 1 WHERE asset = $1", [asset]),
            async () =>
            {
                // The cheap checks: a full run would report the same damage a second time, as held_vs_balances.
                var report = Assert.IsType<ReconciliationReport>(await fixture.Node.AskAsync(reconciliation, new Reconcile(ReconciliationScope.Totals)));
                var mismatch = Assert.Single(report.Mismatches);
                Assert.Equal(("asset_total", asset), (mismatch.Kind, mismatch.Subject));
                Assert.Equal(report.Mismatches.Count, metrics.Gauge("cohort_reconciliation_mismatches"));

                var alert = await NodeWait.UntilAsync(
                    () => Task.Run(() => fixture.Kafka.ReadToEnd(CohortTopics.Alerts).Where(m => m.Message.Key == asset).ToList()),
                    alerts => alerts.Count > 0,
                    Timeout,
                    _ => $"no alert for {asset} on {CohortTopics.Alerts}");
                var body = JsonDocument.Parse(Assert.Single(alert).Message.Value).RootElement;
                Assert.Equal("reconciliation_mismatch", body.GetProperty("type").GetString());
                Assert.Equal("asset_total", body.GetProperty("kind").GetString());
                Assert.Equal(asset, body.GetProperty("subject").GetString());
                Assert.Equal(mismatch.Detail, body.GetProperty("detail").GetString());
            });

        // Repaired, the next run finds nothing, and the gauge says so.
        var after = Assert.IsType<ReconciliationReport>(await fixture.Node.AskAsync(reconciliation, new Reconcile(ReconciliationScope.Full)));
        Assert.Empty(after.Mismatches);
        Assert.Equal(0, metrics.Gauge("cohort_reconciliation_mismatches"));
    }

    /// <summary>
    /// Books of the test's own asset, through the node: deposits, a withdrawal, a freeze, an unfreeze, a settlement
    /// and a completed transfer, handled by the reporting projection before the test looks at them.
    /// </summary>
    private async Task<(string A, string B, string Asset)> WriteBooksAsync(string name)
    {
        var node = fixture.Node;
        var run = NodeIds.Run();
        var (a, b) = ($"{name}-{run}-a", $"{name}-{run}-b");
        var asset = NodeIds.Asset(name.ToUpperInvariant()[..1]);
        Assert.IsType<AccountCommandAccepted>(await node.AccountAsync(a, "d-1", new Deposit(asset, 70m)));
        Assert.IsType<AccountCommandAccepted>(await node.AccountAsync(b, "d-1", new Deposit(asset, 5m)));
        Assert.IsType<AccountCommandAccepted>(await node.AccountAsync(a, "w-1", new Withdraw(asset, 12m)));
        Assert.IsType<AccountCommandAccepted>(await node.AccountAsync(a, "f-1", new Freeze(asset, 8m)));
        Assert.IsType<AccountCommandAccepted>(await node.AccountAsync(a, "u-1", new Unfreeze(asset, 3m)));
        Assert.IsType<AccountCommandAccepted>(await node.AccountAsync(a, "s-1", new Settle(asset, 3m)));
        var transfer = Assert.IsType<TransferAnswer>(await node.TransferAsync($"{name}-{run}-t", new TransferTerms(a, b, asset, 20m)));
        Assert.Equal(TransferAnswer.Completed, transfer.Status);
        await fixture.Database.WaitForProjectionsAsync(Timeout, "reporting");
        return (a, b, asset);
    }

    /// <summary>Damages the books, checks, and repairs them whatever the check found: the next test needs them whole.</summary>
    private async Task TamperAsync((string Sql, object[] Args) damage, (string Sql, object[] Args) repair, Func<Task> check)
    {
        Assert.True(await fixture.Database.ExecuteAsync(damage.Sql, damage.Args) > 0, $"no row damaged by {damage.Sql}");
        try
        {
            await check();
        }
        finally
        {
            await fixture.Database.ExecuteAsync(repair.Sql, repair.Args);
        }
    }
}
