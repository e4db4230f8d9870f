using Cohort.Runtime.Kafka;
using Cohort.Testing;
using Confluent.Kafka;
using Npgsql;

namespace Cohort.Runtime.Tests.Infrastructure;

public sealed class FixtureSmokeTests(PostgresServer postgres, KafkaCluster kafka)
    : IClassFixture<PostgresServer>, IClassFixture<KafkaCluster>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_created_database_answers_queries()
    {
        var connectionString = await postgres.CreateDatabaseAsync(nameof(FixtureSmokeTests));

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT 1", connection);

        Assert.Equal(1, await command.ExecuteScalarAsync());
    }

    [Fact]
    public void The_cluster_has_the_cohort_topics_with_their_partition_counts()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.BootstrapServers }).Build();

        var metadata = admin.GetMetadata(Timeout);
        int Partitions(string topic) => metadata.Topics.Single(t => t.Topic == topic).Partitions.Count;

        Assert.Equal(3, metadata.Brokers.Count);
        Assert.Equal(8, Partitions(CohortTopics.Commands("account")));
        Assert.Equal(8, Partitions(CohortTopics.Events("account")));
        Assert.Equal(1, Partitions(CohortTopics.DeadLetters("account")));
        Assert.Equal(1, Partitions(CohortTopics.Singleton));
        Assert.Equal(1, Partitions(CohortTopics.Alerts));
    }

    [Fact]
    public async Task A_produced_message_can_be_consumed()
    {
        var topic = kafka.CreateTopic("smoke", partitions: 1);
        using var producer = new ProducerBuilder<string, string>(
            new ProducerConfig { BootstrapServers = kafka.BootstrapServers }).Build();
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = kafka.BootstrapServers,
            GroupId = topic,
            EnableAutoCommit = false,
        }).Build();

        await producer.ProduceAsync(topic, new Message<string, string> { Key = "entity-1", Value = "hello" });
        // Assign rather than Subscribe: no group join, which takes seconds on the mock.
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var result = consumer.Consume(Timeout);

        Assert.NotNull(result);
        Assert.Equal("entity-1", result.Message.Key);
        Assert.Equal("hello", result.Message.Value);
    }
}
