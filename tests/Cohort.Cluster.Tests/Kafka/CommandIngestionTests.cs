using System.Globalization;
using System.Text.Json;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Kafka;
using Cohort.Cluster.Tests.Support;
using Confluent.Kafka;
using Xunit.Abstractions;

namespace Cohort.Cluster.Tests.Kafka;

/// <summary>
/// Commands that cannot be applied leave the stream for the dead-letter topic, with why and where they were read,
/// and the commands around them still apply; every command with a reply topic is answered there.
/// </summary>
[Collection(InProcessNodeCollection.Name)]
public sealed class CommandIngestionTests(CommandIngestionTests.Node fixture, ITestOutputHelper output)
    : IClassFixture<CommandIngestionTests.Node>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly string Topic = CohortTopics.Commands(AccountRegion.TypeName);

    public sealed class Node() : InProcessNodeFixture("ingestion");

    [Fact]
    public async Task Malformed_commands_are_dead_lettered_with_their_reason_and_source_while_valid_ones_around_them_apply_once()
    {
        output.WriteLine($"node log: {fixture.Node.LogPath}");
        var account = $"ingest-{NodeIds.Run()}";
        var replies = fixture.CreateTopic("cohort.test.replies", 1);
        string Deposit(string requestId, string amount) =>
            $$"""{"type":"deposit","requestId":"{{requestId}}","accountId":"{{account}}","asset":"USDT","amount":"{{amount}}"}""";

        // In one partition (one key) and in this order: each malformed command sits between commands that must apply.
        (string Name, byte[] Value)[] commands =
        [
            ("deposit", Utf8(Deposit("r-1", "10.50"))),
            ("not-json", Utf8("this is {not json")),
            // JSON whose string holds a byte that is not UTF-8: decoding it threw past the parser and stopped the stream.
            ("not-utf8", [.. Utf8($$"""{"type":"deposit","requestId":"r-x0","accountId":"{{account}}","asset":"US"""), 0xff, .. Utf8("""DT","amount":"1"}""")]),
            ("bad-asset", Utf8($$"""{"type":"deposit","requestId":"r-x1","accountId":"{{account}}","asset":"usdt","amount":"1"}""")),
            ("number-amount", Utf8($$"""{"type":"deposit","requestId":"r-x2","accountId":"{{account}}","asset":"USDT","amount":1}""")),
            ("unknown-type", Utf8($$"""{"type":"steal","requestId":"r-x3","accountId":"{{account}}","asset":"USDT","amount":"1"}""")),
            ("second-deposit", Utf8(Deposit("r-2", "5"))),
            ("duplicate", Utf8(Deposit("r-1", "10.50"))),
            ("conflict", Utf8(Deposit("r-1", "99"))),
            ("overdraw", Utf8($$"""{"type":"withdraw","requestId":"r-3","accountId":"{{account}}","asset":"USDT","amount":"1000"}""")),
        ];
        var sent = new Dictionary<string, DeliveryResult<string?, byte[]>>();
        foreach (var (name, value) in commands)
        {
            sent[name] = await fixture.Kafka.ProduceAsync(Topic, account, value, new Dictionary<string, string>
            {
                [CohortHeaders.ReplyTo] = replies,
                [CohortHeaders.CorrelationId] = $"{account}:{name}",
            });
        }

        // Every command is answered, the dead-lettered ones after they are on the dead-letter topic.
        var answers = await NodeWait.UntilAsync(
            () => Task.Run(() => fixture.Kafka.ReadToEnd(replies)),
            r => r.Count >= commands.Length,
            Timeout,
            r => $"{r.Count} of {commands.Length} answers on {replies}; node log {fixture.Node.LogPath}");
        var answered = answers.ToDictionary(m => m.Message.Key!, m => JsonDocument.Parse(m.Message.Value).RootElement);
        JsonElement Answer(string name) => answered[$"{account}:{name}"];

        Assert.Equal(commands.Length, answered.Count);
        AssertAccepted(Answer("deposit"), seqNr: 1, available: "10.50");
        AssertAccepted(Answer("second-deposit"), seqNr: 2, available: "15.50");
        // The duplicate is answered as the first time, and applies nothing.
        Assert.Equal(Answer("deposit").GetRawText(), Answer("duplicate").GetRawText());
        AssertRefused(Answer("conflict"), "idempotency_conflict");
        AssertRefused(Answer("overdraw"), "insufficient_funds");

        var expectedReasons = new Dictionary<string, string>
        {
            ["not-json"] = "not valid JSON",
            ["not-utf8"] = "not valid UTF-8",
            ["bad-asset"] = "asset must be",
            ["number-amount"] = "not a JSON number",
            ["unknown-type"] = "'steal' is not an account command",
        };
        foreach (var (name, reason) in expectedReasons)
        {
            AssertRefused(Answer(name), "validation_failed");
            Assert.Contains(reason, Answer(name).GetProperty("message").GetString());
        }

        var deadLetters = fixture.Kafka.ReadToEnd(CohortTopics.DeadLetters(AccountRegion.TypeName))
            .Where(m => m.Message.Key == account)
            .ToDictionary(m => NodeKafka.Header(m, CohortHeaders.CorrelationId)!);
        Assert.Equal(expectedReasons.Keys.Select(n => $"{account}:{n}").Order(), deadLetters.Keys.Order());
        foreach (var (name, reason) in expectedReasons)
        {
            var letter = deadLetters[$"{account}:{name}"];
            Assert.Contains(reason, NodeKafka.Header(letter, CohortHeaders.DeadLetterReason));
            Assert.Equal(sent[name].TopicPartitionOffset.ToString(), NodeKafka.Header(letter, CohortHeaders.DeadLetterSource));
            Assert.Equal(commands.Single(c => c.Name == name).Value, letter.Message.Value);
        }

        // Applied once each: two deposits and the refused withdrawal, nothing for the duplicate or the conflict.
        var journal = await fixture.Database.JournalAsync([PersistenceIds.Of(AccountRegion.TypeName, account)]);
        Assert.Equal(["account.deposited.v1", "account.deposited.v1", "refused.v1"], journal.Select(r => r.Manifest));
        Assert.Equal(["r-1", "r-2", "r-3"], journal.Select(r => r.Payload.GetProperty("requestId").GetString()));
        var balances = Assert.IsType<AccountBalances>(await fixture.Node.AskAsync(fixture.Node.Accounts, new GetAccount(account)));
        Assert.Equal(new AssetBalanceView("USDT", 15.50m, 0m), Assert.Single(balances.Balances));
    }

    private static byte[] Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    private static void AssertAccepted(JsonElement answer, long seqNr, string available)
    {
        Assert.True(answer.GetProperty("ok").GetBoolean(), answer.GetRawText());
        var body = answer.GetProperty("body");
        Assert.Equal(seqNr, body.GetProperty("seqNr").GetInt64());
        Assert.Equal("USDT", body.GetProperty("asset").GetString());
        Assert.Equal(decimal.Parse(available, CultureInfo.InvariantCulture),
            decimal.Parse(body.GetProperty("available").GetString()!, CultureInfo.InvariantCulture));
    }

    private static void AssertRefused(JsonElement answer, string code)
    {
        Assert.False(answer.GetProperty("ok").GetBoolean(), answer.GetRawText());
        Assert.Equal(code, answer.GetProperty("code").GetString());
    }
}
