using System.Text;
using Cohort.Runtime.Metrics;
using Cohort.Runtime.Reconciliation;
using Cohort.Runtime.Tests.Support;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace Cohort.Runtime.Tests.Reconciliation;

[Collection(ClusterCollection.Name)]
public sealed class ReconciliationTests : NodeTestBase
{
    [Fact]
    public async Task A_balance_changed_behind_the_journals_back_is_reported_and_alerted_but_not_repaired()
    {
        var node = await StartNodeAsync("node-a");
        await node.WaitForAllPartitionsAsync();
        await node.AskAsync("deposit", "acc-1", "d-1", "USDT", "10");
        await node.AskAsync("withdraw", "acc-1", "w-1", "USDT", "4");
        var reconciliation = node.Services.GetRequiredService<ReconciliationService>();
        var before = await reconciliation.ReconcileAsync(ReconciliationScope.Full, CancellationToken.None);

        await Db.ExecuteAsync("UPDATE account_balances SET available = available + 1 WHERE account_id = 'acc-1'");
        var after = await reconciliation.ReconcileAsync(ReconciliationScope.Full, CancellationToken.None);

        Assert.True(before.Consistent, string.Join("; ", before.Mismatches));
        Assert.Contains(after.Mismatches, m => m.Kind == "journal_vs_read_model" && m.Subject == "acc-1/USDT");
        Assert.Contains(after.Mismatches, m => m.Kind == "ledger_vs_read_model" && m.Subject == "acc-1/USDT");
        Assert.Contains(after.Mismatches, m => m.Kind == "asset_total" && m.Subject == "USDT");
        Assert.Equal(7m, await Db.AvailableAsync("acc-1", "USDT"));
        Assert.Contains("journal_vs_read_model", await FirstAlertAsync());
    }

    [Fact]
    public async Task A_run_on_new_events_sums_only_those_and_compares_the_accounts_they_touched()
    {
        var node = await StartNodeReconcilingOnlyAtStartAsync();
        await node.AskAsync("deposit", "acc-1", "d-1", "USDT", "10");
        await node.AskAsync("deposit", "acc-2", "d-2", "USDT", "5");
        var reconciliation = node.Services.GetRequiredService<ReconciliationService>();
        var full = await reconciliation.ReconcileAsync(ReconciliationScope.Full, CancellationToken.None);

        await node.AskAsync("withdraw", "acc-1", "w-1", "USDT", "4");
        await node.AskAsync("deposit", "acc-1", "d-3", "BTC", "0.5");
        var next = await reconciliation.ReconcileAsync(ReconciliationScope.NewEvents, CancellationToken.None);
        var nothingNew = await reconciliation.ReconcileAsync(ReconciliationScope.NewEvents, CancellationToken.None);

        // acc-2 is not touched by the new events: a balance changed behind the journal's back waits for a run that
        // compares every account.
        await Db.ExecuteAsync("UPDATE account_balances SET available = available + 1 WHERE account_id = 'acc-2'");
        await node.AskAsync("deposit", "acc-1", "d-4", "USDT", "1");
        var untouched = await reconciliation.ReconcileAsync(ReconciliationScope.NewEvents, CancellationToken.None);
        var allAccounts = await reconciliation.ReconcileAsync(ReconciliationScope.AllAccounts, CancellationToken.None);
        // The owner's next write rewrites acc-2's balance from its state; the ledger entry it writes is then changed.
        await node.AskAsync("deposit", "acc-2", "d-5", "USDT", "1");
        await Db.ExecuteAsync("UPDATE ledger SET delta_available = 2 WHERE account_id = 'acc-2' AND seq_nr = 2");
        var touched = await reconciliation.ReconcileAsync(ReconciliationScope.NewEvents, CancellationToken.None);

        Assert.True(full.Consistent, string.Join("; ", full.Mismatches));
        Assert.Equal((2, 2), (full.Events, full.Accounts));
        Assert.True(next.Consistent, string.Join("; ", next.Mismatches));
        Assert.Equal((2, 1), (next.Events, next.Accounts));
        Assert.True(nothingNew.Consistent, string.Join("; ", nothingNew.Mismatches));
        Assert.Equal((0, 0), (nothingNew.Events, nothingNew.Accounts));
        Assert.True(untouched.Consistent, string.Join("; ", untouched.Mismatches));
        Assert.Equal(0, allAccounts.Events);
        Assert.Equal(["journal_vs_read_model acc-2/USDT", "ledger_vs_read_model acc-2/USDT", "asset_total USDT"],
            allAccounts.Mismatches.Select(m => $"{m.Kind} {m.Subject}"));
        Assert.Equal([new AssetTotal("BTC", 0.5m, 0, 0.5m), new AssetTotal("USDT", 13m, 0, 12m)], allAccounts.Assets);
        Assert.Equal(["ledger_vs_read_model acc-2/USDT"], touched.Mismatches.Select(m => $"{m.Kind} {m.Subject}"));
    }

    [Fact]
    public async Task A_ledger_entry_changed_after_it_was_summed_is_found_by_the_next_full_run()
    {
        var node = await StartNodeAsync("node-a");
        await node.WaitForAllPartitionsAsync();
        await node.AskAsync("deposit", "acc-1", "d-1", "USDT", "10");
        var reconciliation = node.Services.GetRequiredService<ReconciliationService>();
        await reconciliation.ReconcileAsync(ReconciliationScope.Full, CancellationToken.None);

        await Db.ExecuteAsync("UPDATE ledger SET delta_available = 9 WHERE account_id = 'acc-1'");
        var incremental = await reconciliation.ReconcileAsync(ReconciliationScope.NewEvents, CancellationToken.None);
        var full = await reconciliation.ReconcileAsync(ReconciliationScope.Full, CancellationToken.None);

        Assert.True(incremental.Consistent, string.Join("; ", incremental.Mismatches));
        Assert.Equal([new Mismatch("ledger_vs_read_model", "acc-1/USDT", "ledger available 9 frozen 0, balances available 10 frozen 0")],
            full.Mismatches);
    }

    /// <summary>
    /// A node whose singleton reconciles once when it starts and then not for an hour, so that the events new to a
    /// run are those the test wrote since its previous one.
    /// </summary>
    private async Task<InProcessNode> StartNodeReconcilingOnlyAtStartAsync()
    {
        var node = await StartNodeAsync("node-a", new Dictionary<string, string?> { ["Cohort:Reconciliation:Interval"] = "01:00:00" });
        await node.WaitForAllPartitionsAsync();
        var metrics = node.Services.GetRequiredService<RuntimeMetrics>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var text = new StringBuilder();
            metrics.Render(text);
            if (text.ToString().Contains("\ncohort_reconciliations_total 1\n", StringComparison.Ordinal))
            {
                return node;
            }
            Assert.True(DateTime.UtcNow < deadline, "the singleton did not reconcile within 30 s of starting");
            await Task.Delay(100);
        }
    }

    private async Task<string> FirstAlertAsync()
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = Kafka.BootstrapServers,
            GroupId = "alerts-test",
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Subscribe("cohort.events.alerts");
        var alert = consumer.Consume(TimeSpan.FromSeconds(30));
        Assert.NotNull(alert);
        return alert.Message.Value;
    }
}
