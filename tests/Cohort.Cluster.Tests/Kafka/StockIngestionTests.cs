using System.Text.Json;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Stock;
using Cohort.Cluster.Kafka;
using Cohort.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace Cohort.Cluster.Tests.Kafka;

/// <summary>
/// Stock commands arrive on <c>cohort.commands.stock</c> with nothing but the module's registration: each is applied
/// through the product's entity and answered, and malformed ones are dead-lettered with a clear reason.
/// </summary>
[Collection(InProcessNodeCollection.Name)]
public sealed class StockIngestionTests(StockIngestionTests.Node fixture, ITestOutputHelper output) : IClassFixture<StockIngestionTests.Node>
{
    private static readonly string Topic = CohortTopics.Commands(StockRegion.TypeName);

    public sealed class Node() : InProcessNodeFixture("stock-ingestion");

    [Fact]
    public async Task Reservations_apply_through_kafka_and_malformed_commands_are_dead_lettered()
    {
        output.WriteLine($"node log: {fixture.Node.LogPath}");
        var sku = $"sku-{NodeIds.Run()}";
        var replies = fixture.CreateTopic("cohort.test.stock-replies", 1);
        (string Name, string Json)[] commands =
        [
            ("restock", $$"""{"type":"restock","requestId":"s-1","sku":"{{sku}}","name":"Mug","price":"12.50","asset":"EUR","addStock":10}"""),
            ("reserve", $$"""{"type":"reserve","requestId":"s-2","sku":"{{sku}}","orderId":"o-1","quantity":4}"""),
            ("too-many", $$"""{"type":"reserve","requestId":"s-3","sku":"{{sku}}","orderId":"o-2","quantity":7}"""),
            ("confirm", $$"""{"type":"confirm","requestId":"s-4","sku":"{{sku}}","orderId":"o-1"}"""),
            ("release-unknown", $$"""{"type":"release","requestId":"s-5","sku":"{{sku}}","orderId":"o-1"}"""),
            ("text-quantity", $$"""{"type":"reserve","requestId":"s-6","sku":"{{sku}}","orderId":"o-3","quantity":"2"}"""),
            ("unknown-type", $$"""{"type":"steal","requestId":"s-7","sku":"{{sku}}"}"""),
        ];
        foreach (var (name, json) in commands)
        {
            await fixture.Kafka.ProduceAsync(Topic, sku, System.Text.Encoding.UTF8.GetBytes(json), new Dictionary<string, string>
            {
                [CohortHeaders.ReplyTo] = replies,
                [CohortHeaders.CorrelationId] = $"{sku}:{name}",
            });
        }

        var answers = await NodeWait.UntilAsync(
            () => Task.Run(() => fixture.Kafka.ReadToEnd(replies)),
            r => r.Count(m => m.Message.Key!.StartsWith(sku, StringComparison.Ordinal)) >= commands.Length,
            TimeSpan.FromSeconds(30),
            r => $"{r.Count} answers on {replies}; node log {fixture.Node.LogPath}");
        var answered = answers.ToDictionary(m => m.Message.Key!, m => JsonDocument.Parse(m.Message.Value).RootElement);
        string Code(string name) => answered[$"{sku}:{name}"].TryGetProperty("code", out var code) ? code.GetString()! : "ok";

        Assert.Equal(["ok", "ok", "sold_out", "ok", "reservation_not_found", "validation_failed", "validation_failed"],
            commands.Select(c => Code(c.Name)));
        Assert.Contains("quantity must be a whole JSON number", answered[$"{sku}:text-quantity"].GetProperty("message").GetString());
        Assert.Contains("'steal' is not a stock command", answered[$"{sku}:unknown-type"].GetProperty("message").GetString());
        var sold = answered[$"{sku}:confirm"].GetProperty("body");
        Assert.Equal((6, 0, 4), (sold.GetProperty("available").GetInt64(), sold.GetProperty("reserved").GetInt64(), sold.GetProperty("sold").GetInt64()));

        var deadLetters = fixture.Kafka.ReadToEnd(CohortTopics.DeadLetters(StockRegion.TypeName)).Where(m => m.Message.Key == sku).ToList();
        Assert.Equal(2, deadLetters.Count);
        var product = Assert.IsType<StockView>(await fixture.Node.AskAsync(fixture.Node.Registry.Get<StockRegion>(), new GetStock(sku)));
        Assert.Equal(new StockView(sku, true, "Mug", 12.50m, "EUR", null, 6, 0, 4), product);
        var journal = await fixture.Database.JournalAsync([PersistenceIds.Of(StockRegion.TypeName, sku)]);
        Assert.Equal(["stock.created.v1", "stock.reserved.v1", "refused.v1", "stock.confirmed.v1", "refused.v1"], journal.Select(r => r.Manifest));
    }
}
