using System.Text;
using Cohort.Runtime.Metrics;
using Cohort.Runtime.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Cohort.Runtime.Tests.Partitions;

[Collection(ClusterCollection.Name)]
public sealed class LocalDeliveryTests : NodeTestBase
{
    [Fact]
    public async Task An_ask_for_an_entity_this_node_owns_is_answered_in_memory_and_journaled_like_any_other()
    {
        var node = await StartNodeAsync("node-a");
        await node.WaitForAllPartitionsAsync();

        var first = Answer.Parse(await node.AskAsync("deposit", "acc-l", "d-1", "USDT", "7"));
        var replay = Answer.Parse(await node.AskAsync("deposit", "acc-l", "d-1", "USDT", "7"));

        Assert.True(first.Ok);
        Assert.True(replay.Ok);
        Assert.Equal((2L, 0L), Asks(node));
        Assert.Equal(1, await Db.EventCountAsync("acc-l"));
        Assert.Equal(7m, await Db.AvailableAsync("acc-l", "USDT"));
    }

    [Fact]
    public async Task Asks_reach_the_other_nodes_partitions_through_Kafka_and_apply_once_either_way()
    {
        var a = await StartNodeAsync("node-a");
        var b = await StartNodeAsync("node-b");
        await a.WaitForPartitionsAsync(8, TimeSpan.FromSeconds(40));
        await b.WaitForPartitionsAsync(8, TimeSpan.FromSeconds(40));
        var accounts = Enumerable.Range(0, 40).Select(i => $"acc-both-{i}").ToList();

        var answers = await Task.WhenAll(accounts.Select(id => a.AskAsync("deposit", id, "d-1", "USDT", "3")));

        var (local, kafka) = Asks(a);
        Assert.All(answers, answer => Assert.True(Answer.Parse(answer).Ok));
        Assert.True(local > 0 && kafka > 0, $"{local} asks answered locally, {kafka} through Kafka");
        Assert.Equal(40, local + kafka);
        foreach (var id in accounts)
        {
            Assert.Equal(1, await Db.EventCountAsync(id));
            Assert.Equal(3m, await Db.AvailableAsync(id, "USDT"));
        }
    }

    private static (long Local, long Kafka) Asks(InProcessNode node)
    {
        var text = new StringBuilder();
        node.Services.GetRequiredService<RuntimeMetrics>().Render(text);
        long Value(string name) => long.Parse(text.ToString().Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal)).Split(' ')[1]);
        return (Value("cohort_asks_local_total"), Value("cohort_asks_kafka_total"));
    }
}
