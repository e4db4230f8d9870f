using Cohort.Cluster.Entities;
using Cohort.Cluster.Hosting;
using Cohort.Cluster.Kafka;
using Cohort.Cluster.Tests.Kafka.Poison;
using Cohort.Cluster.Tests.Support;
using Confluent.Kafka;
using Xunit.Abstractions;

namespace Cohort.Cluster.Tests.Kafka;

/// <summary>
/// A command its entity throws on (a bug, a broken invariant) must not stop the partition it arrived on: it goes to
/// the dead-letter topic with the failure, and everything behind it applies.
/// </summary>
[Collection(InProcessNodeCollection.Name)]
public sealed class PoisonCommandTests(PoisonCommandTests.Node fixture, ITestOutputHelper output) : IClassFixture<PoisonCommandTests.Node>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly string Topic = CohortTopics.Commands(PoisonRegion.TypeName);

    public sealed class Node() : InProcessNodeFixture("poison")
    {
        protected override IReadOnlyList<EntityModule>? Modules { get; } = [.. CohortHosting.EntityModules, new PoisonModule()];

        protected override void BeforeFirstNode()
        {
            // The node subscribes to cohort.commands.poison and dead-letters to its .dlq: both must exist with a known shape.
            CreateNamedTopic(Topic, 2);
            CreateNamedTopic(CohortTopics.DeadLetters(PoisonRegion.TypeName), 1);
        }
    }

    [Fact]
    public async Task A_command_its_entity_throws_on_is_dead_lettered_and_the_commands_behind_it_still_apply()
    {
        output.WriteLine($"node log: {fixture.Node.LogPath}");
        using var metrics = new MeterReader(fixture.Node.Metrics);
        var run = NodeIds.Run();
        var (first, second, third) = ($"p-{run}-1", $"p-{run}-2", $"p-{run}-3");
        var cause = $"boom-{run}";

        Task<DeliveryResult<string?, byte[]>> Send(string entityId, string requestId, string op, string value, int partition) =>
            fixture.Kafka.ProduceAsync(Topic, entityId,
                $$"""{"requestId":"{{requestId}}","entityId":"{{entityId}}","op":"{{op}}","value":"{{value}}"}""", partition: partition);

        // The entity has a durable past before the poison arrives, and restarts from it. (Waiting until it is in the
        // journal keeps the restart from overtaking a write not yet durable, whose order after the restart the journal
        // alone decides.)
        await Send(first, "r-1", PoisonCommand.Append, "one", 0);
        await NodeWait.UntilAsync(
            () => fixture.Database.JournalAsync([PersistenceIds.Of(PoisonRegion.TypeName, first)]),
            rows => rows.Count == 1,
            Timeout,
            rows => $"{rows.Count} journal rows of {first}; node log {fixture.Node.LogPath}");

        // Partition 0 in this order: the poison command, one more of its entity, then another entity's.
        var poison = await Send(first, "r-2", PoisonCommand.Explode, cause, 0);
        await Send(first, "r-3", PoisonCommand.Append, "two", 0);
        await Send(second, "r-4", PoisonCommand.Append, "three", 0);
        await Send(third, "r-5", PoisonCommand.Append, "four", 1);

        // Committed past the last command of each partition: every one was answered or dead-lettered.
        await fixture.Kafka.WaitUntilCommittedAsync(fixture.GroupId, fixture.Kafka.Ends(Topic), Timeout);

        var journal = await fixture.Database.JournalAsync(
            [PersistenceIds.Of(PoisonRegion.TypeName, first), PersistenceIds.Of(PoisonRegion.TypeName, second), PersistenceIds.Of(PoisonRegion.TypeName, third)]);
        string[] Values(string entityId) => journal
            .Where(r => r.PersistenceId == PersistenceIds.Of(PoisonRegion.TypeName, entityId))
            .Select(r => r.Payload.GetProperty("value").GetString()!)
            .ToArray();
        Assert.Equal(["one", "two"], Values(first));
        Assert.Equal(["three"], Values(second));
        Assert.Equal(["four"], Values(third));

        var deadLetters = fixture.Kafka.ReadToEnd(CohortTopics.DeadLetters(PoisonRegion.TypeName))
            .Where(m => m.Message.Key is { } key && key.StartsWith($"p-{run}-", StringComparison.Ordinal))
            .ToList();
        var letter = Assert.Single(deadLetters);
        Assert.Equal(poison.Message.Value, letter.Message.Value);
        var reason = NodeKafka.Header(letter, CohortHeaders.DeadLetterReason);
        Assert.Contains(PoisonEntity.FailureOf(cause), reason);
        Assert.Contains("entity failed", reason);
        Assert.Equal(poison.TopicPartitionOffset.ToString(), NodeKafka.Header(letter, CohortHeaders.DeadLetterSource));

        Assert.Equal(1, metrics.Counter("cohort_entity_failures", ("entity", PoisonRegion.TypeName)));
        Assert.Equal(1, metrics.Counter("cohort_dead_letters", ("topic", Topic), ("reason", "entity_failed")));
        Assert.Equal(4, metrics.Counter("cohort_kafka_commands", ("topic", Topic), ("outcome", "accepted")));
    }
}
