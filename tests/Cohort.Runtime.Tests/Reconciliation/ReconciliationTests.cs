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
        var before = await reconciliation.ReconcileAsync(CancellationToken.None);

        await Db.ExecuteAsync("UPDATE account_balances SET available = available + 1 WHERE account_id = 'acc-1'");
        var after = await reconciliation.ReconcileAsync(CancellationToken.None);

        Assert.True(before.Consistent, string.Join("; ", before.Mismatches));
        Assert.Contains(after.Mismatches, m => m.Kind == "journal_vs_read_model" && m.Subject == "acc-1/USDT");
        Assert.Contains(after.Mismatches, m => m.Kind == "ledger_vs_read_model" && m.Subject == "acc-1/USDT");
        Assert.Contains(after.Mismatches, m => m.Kind == "asset_total" && m.Subject == "USDT");
        Assert.Equal(7m, await Db.AvailableAsync("acc-1", "USDT"));
        Assert.Contains("journal_vs_read_model", await FirstAlertAsync());
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
