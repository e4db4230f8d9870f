using System.Text;
using Cohort.Runtime.Kafka;
using Cohort.Runtime.Tests.Support;
using Confluent.Kafka;

namespace Cohort.Runtime.Tests.Partitions;

/// <summary>Commands produced straight onto the command topic by another service, without asking for answers.</summary>
[Collection(ClusterCollection.Name)]
public sealed class KafkaCommandTests : NodeTestBase
{
    private const string Topic = "cohort.commands.account";

    [Fact]
    public async Task Commands_without_a_reply_address_apply_and_show_in_the_account()
    {
        var node = await StartNodeAsync("node-a");
        await node.WaitForAllPartitionsAsync();
        using var producer = Producer(Partitioner.Murmur2Random);

        await producer.ProduceAsync(Topic, Message("acc-k", """{"type":"deposit","requestId":"k-1","accountId":"acc-k","asset":"USDT","amount":"10.50"}"""));
        await producer.ProduceAsync(Topic, Message("acc-k", """{"type":"withdraw","requestId":"k-2","accountId":"acc-k","asset":"USDT","amount":"0.25"}"""));
        await producer.ProduceAsync(Topic, Message("acc-k", """{"type":"withdraw","requestId":"k-3","accountId":"acc-k","asset":"USDT","amount":"99"}"""));
        await producer.ProduceAsync(Topic, Message("acc-k", """{"type":"deposit","requestId":"k-4","accountId":"acc-k","asset":"BTC","amount":"1"}"""));
        await Db.WaitForResultAsync("acc-k", "k-4");

        Assert.Equal(10.25m, await Db.AvailableAsync("acc-k", "USDT"));
        Assert.Equal(3, await Db.EventCountAsync("acc-k"));
        Assert.Equal("insufficient_funds", await Db.ScalarAsync<string>(
            "SELECT result->>'code' FROM request_results WHERE request_id = 'k-3'"));
    }

    [Fact]
    public async Task Malformed_and_misrouted_messages_change_nothing_and_do_not_stop_the_partition()
    {
        var node = await StartNodeAsync("node-a");
        await node.WaitForAllPartitionsAsync();
        var home = Murmur2.Partition(Encoding.UTF8.GetBytes("acc-m"), 8);
        using var producer = Producer(Partitioner.Murmur2Random);

        await producer.ProduceAsync(new TopicPartition(Topic, home), Message("acc-m", "not json"));
        await producer.ProduceAsync(new TopicPartition(Topic, home), Message("acc-m", """{"type":"deposit","requestId":"m-1","accountId":"acc-m","asset":"USDT","amount":10}"""));
        await producer.ProduceAsync(new TopicPartition(Topic, home), Message("acc-m", """{"type":"deposit","requestId":"m-2","accountId":"acc-m","asset":"USDT","amount":"-1"}"""));
        await producer.ProduceAsync(new TopicPartition(Topic, home), Message("someone-else", """{"type":"deposit","requestId":"m-3","accountId":"acc-m","asset":"USDT","amount":"1"}"""));
        await producer.ProduceAsync(new TopicPartition(Topic, (home + 1) % 8), Message("acc-m", """{"type":"deposit","requestId":"m-4","accountId":"acc-m","asset":"USDT","amount":"1"}"""));
        await producer.ProduceAsync(new TopicPartition(Topic, home), Message("acc-m", """{"type":"deposit","requestId":"m-5","accountId":"acc-m","asset":"USDT","amount":"2"}"""));
        var neighbour = Enumerable.Range(0, 1000).Select(i => $"acc-n{i}")
            .First(key => Murmur2.Partition(Encoding.UTF8.GetBytes(key), 8) == (home + 1) % 8);
        await producer.ProduceAsync(new TopicPartition(Topic, (home + 1) % 8), Message(neighbour, $$"""{"type":"deposit","requestId":"n-1","accountId":"{{neighbour}}","asset":"USDT","amount":"1"}"""));
        await Db.WaitForResultAsync("acc-m", "m-5");
        await Db.WaitForResultAsync(neighbour, "n-1");

        Assert.Equal(1, await Db.EventCountAsync("acc-m"));
        Assert.Equal(2m, await Db.AvailableAsync("acc-m", "USDT"));
        Assert.Equal(1, await Db.ScalarAsync<long>("SELECT count(*) FROM request_results WHERE entity_id = 'acc-m'"));
    }

    private IProducer<string, string> Producer(Partitioner partitioner) =>
        new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = Kafka.BootstrapServers, Partitioner = partitioner }).Build();

    private static Message<string, string> Message(string key, string value) => new() { Key = key, Value = value };
}
