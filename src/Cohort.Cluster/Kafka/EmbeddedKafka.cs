using System.Runtime.InteropServices;

namespace Cohort.Cluster.Kafka;

/// <summary>
/// librdkafka's built-in mock cluster, with Cohort's topics created: a real Kafka protocol endpoint for development
/// and tests where no broker can run. The cluster lives exactly as long as this object.
/// </summary>
public sealed class EmbeddedKafka : IDisposable
{
    private const int ErrorBufferSize = 512;

    private IntPtr _holder;
    private readonly IntPtr _cluster;

    private EmbeddedKafka(IntPtr holder, IntPtr cluster)
    {
        _holder = holder;
        _cluster = cluster;
        BootstrapServers = Marshal.PtrToStringUTF8(MockClusterNative.MockClusterBootstraps(cluster))
            ?? throw new InvalidOperationException("The Kafka mock cluster reported no bootstrap servers.");
    }

    /// <summary>Comma-separated host:port list of the mock brokers.</summary>
    public string BootstrapServers { get; }

    public static EmbeddedKafka Start(EmbeddedKafkaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Brokers, 1, nameof(options.Brokers));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Partitions, 1, nameof(options.Partitions));

        var holder = CreateHolder(options.Brokers);
        var cluster = MockClusterNative.HandleMockCluster(holder);
        if (cluster == IntPtr.Zero)
        {
            MockClusterNative.Destroy(holder);
            throw new InvalidOperationException("librdkafka created no mock cluster for test.mock.num.brokers.");
        }

        var kafka = new EmbeddedKafka(holder, cluster);
        try
        {
            kafka.CreateCohortTopics(options.Partitions);
        }
        catch
        {
            kafka.Dispose();
            throw;
        }

        return kafka;
    }

    /// <summary>
    /// Creates a topic with an exact partition count. The mock would otherwise auto-create any topic a client
    /// touches with its default count, and its CreateTopics admin request times out.
    /// </summary>
    public void CreateTopic(string topic, int partitions)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ObjectDisposedException.ThrowIf(_holder == IntPtr.Zero, this);

        var error = MockClusterNative.MockTopicCreate(_cluster, topic, partitions, replicationFactor: 1);
        if (error != MockClusterNative.NoError)
        {
            var name = Marshal.PtrToStringUTF8(MockClusterNative.ErrorName(error));
            var description = Marshal.PtrToStringUTF8(MockClusterNative.ErrorDescription(error));
            throw new InvalidOperationException(
                $"The Kafka mock cluster could not create topic '{topic}' with {partitions} partition(s): {name} ({description}).");
        }
    }

    public void Dispose()
    {
        var holder = Interlocked.Exchange(ref _holder, IntPtr.Zero);
        if (holder != IntPtr.Zero)
        {
            MockClusterNative.Destroy(holder);
        }
    }

    private void CreateCohortTopics(int partitions)
    {
        foreach (var entityType in CohortTopics.EntityTypes)
        {
            CreateTopic(CohortTopics.Commands(entityType), partitions);
            CreateTopic(CohortTopics.Events(entityType), partitions);
            CreateTopic(CohortTopics.DeadLetters(entityType), 1);
        }

        // One partition: alerts in a total order.
        CreateTopic(CohortTopics.Alerts, 1);
    }

    private static unsafe IntPtr CreateHolder(int brokers)
    {
        var error = stackalloc byte[ErrorBufferSize];
        var conf = MockClusterNative.ConfNew();
        if (MockClusterNative.ConfSet(conf, "test.mock.num.brokers", brokers.ToString(), error, ErrorBufferSize)
            != MockClusterNative.ConfOk)
        {
            MockClusterNative.ConfDestroy(conf);
            throw new InvalidOperationException($"librdkafka refused test.mock.num.brokers={brokers}: {ErrorText(error)}");
        }

        var holder = MockClusterNative.New(MockClusterNative.ProducerType, conf, error, ErrorBufferSize);
        if (holder == IntPtr.Zero)
        {
            MockClusterNative.ConfDestroy(conf);
            throw new InvalidOperationException($"librdkafka could not start the Kafka mock cluster: {ErrorText(error)}");
        }

        return holder;
    }

    private static unsafe string ErrorText(byte* error) => Marshal.PtrToStringUTF8((IntPtr)error) ?? "no detail";
}
