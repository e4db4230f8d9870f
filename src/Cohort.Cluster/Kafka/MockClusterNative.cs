using System.Runtime.InteropServices;

namespace Cohort.Cluster.Kafka;

/// <summary>
/// The slice of librdkafka's C API that hosts its built-in mock cluster. Confluent.Kafka keeps its client handle
/// private and exposes no mock API, so the mock's holder client is created here directly.
/// </summary>
internal static partial class MockClusterNative
{
    // The native library of librdkafka.redist, the one Confluent.Kafka loads.
    internal const string Library = "librdkafka";

    internal const int ProducerType = 0;
    internal const int ConfOk = 0;
    internal const int NoError = 0;

    [LibraryImport(Library, EntryPoint = "rd_kafka_conf_new")]
    internal static partial IntPtr ConfNew();

    // Only for a configuration that rd_kafka_new refused: on success the client owns it.
    [LibraryImport(Library, EntryPoint = "rd_kafka_conf_destroy")]
    internal static partial void ConfDestroy(IntPtr conf);

    [LibraryImport(Library, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int ConfSet(IntPtr conf, string name, string value, byte* errstr, nuint errstrSize);

    [LibraryImport(Library, EntryPoint = "rd_kafka_new")]
    internal static unsafe partial IntPtr New(int type, IntPtr conf, byte* errstr, nuint errstrSize);

    [LibraryImport(Library, EntryPoint = "rd_kafka_destroy")]
    internal static partial void Destroy(IntPtr rk);

    [LibraryImport(Library, EntryPoint = "rd_kafka_handle_mock_cluster")]
    internal static partial IntPtr HandleMockCluster(IntPtr rk);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_topic_create", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MockTopicCreate(IntPtr mcluster, string topic, int partitionCount, int replicationFactor);

    // The returned strings belong to librdkafka: a string return type would make the marshaller free them.
    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    internal static partial IntPtr MockClusterBootstraps(IntPtr mcluster);

    [LibraryImport(Library, EntryPoint = "rd_kafka_err2name")]
    internal static partial IntPtr ErrorName(int error);

    [LibraryImport(Library, EntryPoint = "rd_kafka_err2str")]
    internal static partial IntPtr ErrorDescription(int error);
}
