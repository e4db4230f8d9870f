using System.Text;
using Cohort.Runtime.Kafka;
using Cohort.Testing;
using Confluent.Kafka;

namespace Cohort.Runtime.Tests.Kafka;

public sealed class Murmur2Tests(KafkaCluster kafka) : IClassFixture<KafkaCluster>
{
    [Fact]
    public async Task Owners_compute_the_same_partition_as_librdkafkas_murmur2_partitioner()
    {
        var topic = kafka.CreateTopic("murmur", 8);
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = kafka.BootstrapServers,
            Partitioner = Partitioner.Murmur2Random,
        }).Build();
        var keys = Enumerable.Range(0, 300).Select(i => $"acc-{i}-{new string('x', i % 7)}").Append("ü-€").ToList();

        foreach (var key in keys)
        {
            var delivered = await producer.ProduceAsync(topic, new Message<string, string> { Key = key, Value = "" });
            Assert.Equal(delivered.Partition.Value, Murmur2.Partition(Encoding.UTF8.GetBytes(key), 8));
        }
    }

    // The vectors of the Java client's own murmur2 test (signed there).
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Hash_matches_the_java_clients_test_vectors(string key, int expected) =>
        Assert.Equal(expected, unchecked((int)Murmur2.Hash(Encoding.UTF8.GetBytes(key))));
}
