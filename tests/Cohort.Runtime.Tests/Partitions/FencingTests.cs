using System.Text;
using Cohort.Runtime.Ask;
using Cohort.Runtime.Kafka;
using Cohort.Runtime.Persistence;
using Cohort.Runtime.Tests.Support;
using Npgsql;

namespace Cohort.Runtime.Tests.Partitions;

[Collection(ClusterCollection.Name)]
public sealed class FencingTests : NodeTestBase
{
    private const string Topic = "cohort.commands.account";

    [Fact]
    public async Task A_stale_owner_writes_nothing_after_another_node_took_its_partition()
    {
        var node = await StartNodeAsync("node-a", new Dictionary<string, string?> { ["Cohort:Node:AskTimeout"] = "00:00:03" });
        await node.WaitForAllPartitionsAsync();
        await node.AskAsync("deposit", "acc-f", "d-1", "USDT", "10");
        var partition = Murmur2.Partition(Encoding.UTF8.GetBytes("acc-f"), 8);
        var neighbour = Enumerable.Range(0, 1000).Select(i => $"other-{i}")
            .First(id => Murmur2.Partition(Encoding.UTF8.GetBytes(id), 8) != partition);

        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        var usurped = await new PartitionEpochs(dataSource).AcquireAsync(Topic, partition, "usurper", CancellationToken.None);

        await Assert.ThrowsAsync<AskTimeoutException>(() => node.AskAsync("deposit", "acc-f", "d-2", "USDT", "5"));
        var elsewhere = Answer.Parse(await node.AskAsync("deposit", neighbour, "d-1", "USDT", "1"));

        Assert.Equal(2, usurped);
        Assert.Equal(1, await Db.EventCountAsync("acc-f"));
        Assert.Equal(10m, await Db.AvailableAsync("acc-f", "USDT"));
        Assert.Equal(0, await Db.ScalarAsync<long>("SELECT count(*) FROM request_results WHERE request_id = 'd-2'"));
        Assert.True(elsewhere.Ok);
        Assert.DoesNotContain(node.Partitions.Owned, p => p.Topic == Topic && p.Partition == partition && p.Epoch == usurped);
    }

    [Fact]
    public async Task A_batch_committed_with_a_stale_epoch_is_refused_whole()
    {
        var node = await StartNodeAsync("node-a");
        await node.WaitForAllPartitionsAsync();
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        var epochs = new PartitionEpochs(dataSource);
        var current = await epochs.AcquireAsync(Topic, 3, "test", CancellationToken.None);
        var write = new BatchWrite("account", 3);
        write.AddEvent("acc-s", 1, "deposited", """{"asset":"USDT","amount":"1"}""", "r-1");
        write.AddResult("acc-s", "r-1", [1, 2, 3], """{"ok":true,"body":{}}""");

        var fenced = await Assert.ThrowsAsync<PartitionFencedException>(() =>
            new Journal(dataSource).CommitAsync(Topic, 3, current - 1, write, 0, null, CancellationToken.None));

        Assert.Contains("fenced", fenced.Message);
        Assert.Equal(0, await Db.EventCountAsync("acc-s"));
        Assert.Equal(0, await Db.ScalarAsync<long>("SELECT count(*) FROM request_results WHERE entity_id = 'acc-s'"));
    }

    [Fact]
    public async Task Taking_a_partition_waits_for_the_old_owners_transaction_in_flight()
    {
        var node = await StartNodeAsync("node-a");
        await node.WaitForAllPartitionsAsync();
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        var epochs = new PartitionEpochs(dataSource);
        var old = await epochs.AcquireAsync(Topic, 5, "old-owner", CancellationToken.None);

        await using var conn = await dataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var fence = new NpgsqlCommand($"SELECT cohort_fence('{Topic}', 5, {old})", conn, tx))
        {
            await fence.ExecuteNonQueryAsync();
        }
        var takeover = epochs.AcquireAsync(Topic, 5, "new-owner", CancellationToken.None);
        var blocked = await Task.WhenAny(takeover, Task.Delay(TimeSpan.FromSeconds(1))) != takeover;
        await tx.CommitAsync();
        var taken = await takeover;

        Assert.True(blocked, "the new owner must wait until the old owner's transaction ends");
        Assert.Equal(old + 1, taken);
    }
}
