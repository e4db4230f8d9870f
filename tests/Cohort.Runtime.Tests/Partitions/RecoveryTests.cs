using Cohort.Runtime.Metrics;
using Cohort.Runtime.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Cohort.Runtime.Tests.Partitions;

[Collection(ClusterCollection.Name)]
public sealed class RecoveryTests : NodeTestBase
{
    private static readonly Dictionary<string, string?> SnapshotEveryTen = new() { ["Cohort:Pipeline:SnapshotEvery"] = "10" };

    [Fact]
    public async Task An_entity_recovers_from_its_latest_snapshot_plus_the_events_after_it()
    {
        var node = await StartNodeAsync("node-a", SnapshotEveryTen);
        await node.WaitForAllPartitionsAsync();
        for (var i = 1; i <= 25; i++)
        {
            await node.AskAsync("deposit", "acc-r", $"dep-{i}", "USDT", "1");
        }
        await StopNodeAsync(node);

        Assert.Equal(20, await Db.ScalarAsync<long>("SELECT seq_nr FROM snapshots WHERE entity_id = 'acc-r'"));
        // Without the events the snapshot covers, only a recovery that starts from the snapshot can succeed:
        // replaying from event 21 onto an empty account would not give 26, and a gap in the journal is refused.
        await Db.ExecuteAsync("DELETE FROM journal WHERE entity_id = 'acc-r' AND seq_nr <= 20");

        var restarted = await StartNodeAsync("node-b", SnapshotEveryTen);
        await restarted.WaitForAllPartitionsAsync();
        var answer = Answer.Parse(await restarted.AskAsync("deposit", "acc-r", "dep-26", "USDT", "1"));

        Assert.True(answer.Ok);
        Assert.Equal(26, answer.SeqNr);
        Assert.Equal("26", answer.Available);
    }

    [Fact]
    public async Task An_entity_without_a_snapshot_recovers_from_all_its_events()
    {
        var node = await StartNodeAsync("node-a");
        await node.WaitForAllPartitionsAsync();
        await node.AskAsync("deposit", "acc-e", "d-1", "BTC", "0.5");
        await node.AskAsync("freeze", "acc-e", "f-1", "BTC", "0.2");
        await node.AskAsync("withdraw", "acc-e", "w-1", "BTC", "0.1");
        await StopNodeAsync(node);

        var restarted = await StartNodeAsync("node-b");
        await restarted.WaitForAllPartitionsAsync();
        var refused = Answer.Parse(await restarted.AskAsync("withdraw", "acc-e", "w-2", "BTC", "0.3"));
        var answer = Answer.Parse(await restarted.AskAsync("withdraw", "acc-e", "w-3", "BTC", "0.2"));

        Assert.Equal(0, await Db.ScalarAsync<long>("SELECT count(*) FROM snapshots"));
        Assert.Equal("insufficient_funds", refused.Code);
        Assert.Equal(4, answer.SeqNr);
        Assert.Equal("0.0", answer.Available);
        Assert.Equal("0.2", answer.Body.GetProperty("frozen").GetString());
    }

    [Fact]
    public async Task An_idle_entity_is_passivated_and_recovered_from_the_journal_when_it_is_needed_again()
    {
        var node = await StartNodeAsync("node-a", new Dictionary<string, string?> { ["Cohort:Pipeline:PassivateAfter"] = "00:00:01" });
        await node.WaitForAllPartitionsAsync();
        var metrics = node.Services.GetRequiredService<RuntimeMetrics>();
        await node.AskAsync("deposit", "acc-p", "d-1", "USDT", "3");
        await node.AskAsync("deposit", "acc-p", "d-2", "USDT", "4");
        var whileCached = metrics.EntitiesRecovered;

        await Task.Delay(TimeSpan.FromSeconds(2.5));
        // The next batch of the partition first sweeps its idle entities, so acc-p comes back from the journal.
        await node.AskAsync("deposit", "acc-p", "d-3", "USDT", "0.5");
        var answer = Answer.Parse(await node.AskAsync("deposit", "acc-p", "d-4", "USDT", "0.5"));

        Assert.True(metrics.EntitiesRecovered > whileCached, $"recovered {metrics.EntitiesRecovered} times, {whileCached} before idling");
        Assert.Equal(4, answer.SeqNr);
        Assert.Equal("8.0", answer.Available);
    }
}
