using System.Text;
using Cohort.Domain.Accounts;
using Cohort.Runtime.Ask;
using Cohort.Runtime.Kafka;
using Cohort.Runtime.Metrics;
using Cohort.Runtime.Partitions;
using Cohort.Runtime.Persistence;
using Cohort.Runtime.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
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
    public async Task A_transaction_holding_one_stale_batch_is_refused_whole_and_names_that_partition()
    {
        var (dataSource, stale, current) = await TakePartitions3And4Async();
        await using var _ = dataSource;

        var fenced = await Assert.ThrowsAsync<PartitionFencedException>(() =>
            new Journal(dataSource).CommitAsync([Deposit(4, current, "acc-g"), Deposit(3, stale, "acc-s")], CancellationToken.None));

        Assert.Equal((3, stale), (fenced.Partition, fenced.Epoch));
        Assert.Equal(0, await Db.EventCountAsync("acc-s"));
        Assert.Equal(0, await Db.EventCountAsync("acc-g"));
        Assert.Equal(0, await Db.ScalarAsync<long>("SELECT count(*) FROM request_results WHERE entity_id IN ('acc-s', 'acc-g')"));
    }

    [Fact]
    public async Task The_group_committer_refuses_the_stale_batch_and_commits_the_others()
    {
        var (dataSource, stale, current) = await TakePartitions3And4Async();
        await using var _ = dataSource;
        var committer = new GroupCommitter(new Journal(dataSource), new RuntimeMetrics(),
            Options.Create(new PipelineOptions { MaxConcurrentCommits = 1 }), NullLogger<GroupCommitter>.Instance);

        var refused = committer.CommitAsync(Deposit(3, stale, "acc-s"));
        var accepted = committer.CommitAsync(Deposit(4, current, "acc-g"));

        await Assert.ThrowsAsync<PartitionFencedException>(() => refused);
        Assert.True(await accepted > 0);
        Assert.Equal(0, await Db.EventCountAsync("acc-s"));
        Assert.Equal(1, await Db.EventCountAsync("acc-g"));
    }

    /// <summary>
    /// Takes partitions 3 and 4 away from a running node: a batch of partition 3 with the epoch before is then
    /// stale, one of partition 4 with the new epoch current.
    /// </summary>
    private async Task<(NpgsqlDataSource DataSource, long Stale, long Current)> TakePartitions3And4Async()
    {
        var node = await StartNodeAsync("node-a");
        await node.WaitForAllPartitionsAsync();
        var dataSource = NpgsqlDataSource.Create(ConnectionString);
        var epochs = new PartitionEpochs(dataSource);
        var stale = await epochs.AcquireAsync(Topic, 3, "test", CancellationToken.None) - 1;
        var current = await epochs.AcquireAsync(Topic, 4, "test", CancellationToken.None);
        return (dataSource, stale, current);
    }

    private static PendingCommit Deposit(int partition, long epoch, string accountId)
    {
        var write = new BatchWrite("account", partition);
        write.AddEvent(accountId, 1, "deposited", """{"asset":"USDT","amount":"1"}""", "r-1");
        write.AddResult(accountId, "r-1", [1, 2, 3], """{"ok":true,"body":{}}""");
        return new ProjectedCommit<AccountState, AccountEvent>(Topic, epoch, write, 0, null, [], []);
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
