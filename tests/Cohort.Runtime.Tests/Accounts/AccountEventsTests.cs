using System.Globalization;
using System.Text.Json;
using Cohort.Runtime.Tests.Support;
using Confluent.Kafka;

namespace Cohort.Runtime.Tests.Accounts;

[Collection(ClusterCollection.Name)]
public sealed class AccountEventsTests : NodeTestBase
{
    [Fact]
    public async Task A_consumer_of_every_account_event_rebuilds_every_balance_in_order_even_across_a_new_owner()
    {
        var node = await StartNodeAsync("node-a");
        await node.WaitForAllPartitionsAsync();
        var random = new Random(7);
        for (var i = 0; i < 120; i++)
        {
            var account = $"acc-{i % 12}";
            var kind = random.Next(4) switch { 0 or 1 => "deposit", 2 => "withdraw", _ => "freeze" };
            await node.AskAsync(kind, account, $"r-{i}", i % 2 == 0 ? "USDT" : "BTC", $"{random.Next(1, 50)}.{random.Next(100):00}");
        }
        await StopNodeAsync(node);
        var next = await StartNodeAsync("node-b");
        await next.WaitForAllPartitionsAsync();
        await next.AskAsync("deposit", "acc-0", "r-last", "USDT", "1");

        var events = ConsumeAccountEvents(expectedAtLeast: await Db.ScalarAsync<long>("SELECT count(*) FROM journal WHERE entity_type = 'account'"));

        var rebuilt = new Dictionary<(string, string), (decimal Available, decimal Frozen)>();
        var lastSeq = new Dictionary<string, long>();
        foreach (var e in events)
        {
            var account = e.GetProperty("accountId").GetString()!;
            var seqNr = e.GetProperty("seqNr").GetInt64();
            var seen = lastSeq.GetValueOrDefault(account);
            if (seqNr <= seen)
            {
                continue; // at-least-once: a new owner may send the tail of the outbox again
            }
            Assert.Equal(seen + 1, seqNr);
            lastSeq[account] = seqNr;
            var key = (account, e.GetProperty("asset").GetString()!);
            var b = rebuilt.GetValueOrDefault(key);
            rebuilt[key] = (b.Available + Decimal(e, "deltaAvailable"), b.Frozen + Decimal(e, "deltaFrozen"));
        }
        foreach (var ((account, asset), balance) in rebuilt)
        {
            Assert.Equal(await Db.AvailableAsync(account, asset), balance.Available);
        }
        Assert.Equal(await Db.ScalarAsync<long>("SELECT count(*) FROM account_balances"), rebuilt.Count);
    }

    private List<JsonElement> ConsumeAccountEvents(long expectedAtLeast)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = Kafka.BootstrapServers,
            GroupId = "events-test",
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Subscribe("cohort.events.account");
        var events = new List<JsonElement>();
        var distinct = new HashSet<(string, long)>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (distinct.Count < expectedAtLeast && DateTime.UtcNow < deadline)
        {
            var message = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (message is null)
            {
                continue;
            }
            var e = JsonDocument.Parse(message.Message.Value).RootElement;
            Assert.Equal(message.Message.Key, e.GetProperty("accountId").GetString());
            distinct.Add((e.GetProperty("accountId").GetString()!, e.GetProperty("seqNr").GetInt64()));
            events.Add(e);
        }
        Assert.Equal(expectedAtLeast, distinct.Count);
        return events;
    }

    private static decimal Decimal(JsonElement e, string name) =>
        decimal.Parse(e.GetProperty(name).GetString()!, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
}
