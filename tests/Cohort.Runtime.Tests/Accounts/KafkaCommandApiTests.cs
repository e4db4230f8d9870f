using System.Diagnostics;
using System.Text;
using Cohort.Runtime.Tests.Support;
using Confluent.Kafka;

namespace Cohort.Runtime.Tests.Accounts;

/// <summary>The Kafka command API driven by kcat, a client that shares no code with Cohort.</summary>
[Collection(ClusterCollection.Name)]
public sealed class KafkaCommandApiTests : NodeTestBase
{
    [Fact]
    public async Task Kcat_commands_apply_and_malformed_ones_go_to_the_dead_letter_topic_with_their_reason()
    {
        var node = await StartNodeAsync("node-a");
        await node.WaitForAllPartitionsAsync();

        await KcatProduceAsync(
            """acc-kc|{"type":"deposit","requestId":"kc-1","accountId":"acc-kc","asset":"USDT","amount":"25.50"}""",
            """acc-kc|{"type":"withdraw","requestId":"kc-2","accountId":"acc-kc","asset":"USDT","amount":"0.50"}""",
            """acc-kc|{"type":"freeze","requestId":"kc-3","accountId":"acc-kc","asset":"USDT","amount":"5"}""",
            """acc-kc|{"type":"deposit","requestId":"kc-1","accountId":"acc-kc","asset":"USDT","amount":"25.50"}""",
            """acc-kc|this is not json""",
            """acc-kc|{"type":"deposit","requestId":"kc-4","accountId":"acc-kc","asset":"usdt","amount":"1"}""",
            """acc-kc|{"type":"deposit","requestId":"kc-5","accountId":"acc-kc","asset":"USDT","amount":1.5}""",
            """acc-kc|{"type":"teleport","requestId":"kc-6","accountId":"acc-kc","asset":"USDT","amount":"1"}""",
            """acc-kc|{"type":"deposit","requestId":"kc-7","accountId":"acc-kc","asset":"USDT","amount":"1"}""");
        await Db.WaitForResultAsync("acc-kc", "kc-7");

        Assert.Equal(21m, await Db.AvailableAsync("acc-kc", "USDT"));
        Assert.Equal(4, await Db.EventCountAsync("acc-kc"));
        var dead = ConsumeDeadLetters(4);
        Assert.Contains(dead, d => d.Value == "this is not json" && d.Reason.Contains("not valid JSON"));
        Assert.Contains(dead, d => d.Value.Contains("kc-4") && d.Reason.Contains("asset"));
        Assert.Contains(dead, d => d.Value.Contains("kc-5") && d.Reason.Contains("not a JSON number"));
        Assert.Contains(dead, d => d.Value.Contains("kc-6") && d.Reason.Contains("teleport"));
        Assert.All(dead, d => Assert.StartsWith("cohort.commands.account [[", d.Source));
    }

    private async Task KcatProduceAsync(params string[] lines)
    {
        var kcat = Process.Start(new ProcessStartInfo("kcat",
            ["-P", "-b", Kafka.BootstrapServers, "-t", "cohort.commands.account", "-K", "|", "-X", "topic.partitioner=murmur2_random"])
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
        })!;
        foreach (var line in lines)
        {
            await kcat.StandardInput.WriteLineAsync(line);
        }
        kcat.StandardInput.Close();
        await kcat.WaitForExitAsync();
        Assert.True(kcat.ExitCode == 0, await kcat.StandardError.ReadToEndAsync());
    }

    private List<(string Value, string Reason, string Source)> ConsumeDeadLetters(int count)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = Kafka.BootstrapServers,
            GroupId = "dlq-test",
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Subscribe("cohort.commands.account.dlq");
        var dead = new List<(string, string, string)>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (dead.Count < count && DateTime.UtcNow < deadline)
        {
            var m = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (m is not null)
            {
                dead.Add((m.Message.Value, Header(m, "cohort-dlq-reason"), Header(m, "cohort-dlq-source")));
            }
        }
        Assert.Equal(count, dead.Count);
        return dead;
    }

    private static string Header(ConsumeResult<string, string> m, string name) =>
        Encoding.UTF8.GetString(m.Message.Headers.GetLastBytes(name));
}
