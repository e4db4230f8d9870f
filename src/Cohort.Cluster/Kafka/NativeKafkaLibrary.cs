using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Cohort.Cluster.Kafka;

/// <summary>
/// Points <see cref="MockClusterNative"/> at the very librdkafka Confluent.Kafka loaded. librdkafka.redist ships
/// several Linux builds and Confluent.Kafka picks one at run time (on Debian 12 the CentOS 8 build, because the
/// default one needs libsasl2.so.3); .NET's own probing would pick the default one and fail.
/// </summary>
internal static class NativeKafkaLibrary
{
    // A module initializer: the resolver must be in place before the first mock call, whichever entry point
    // (node, CLI, tests) gets there first.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => NativeLibrary.SetDllImportResolver(typeof(NativeKafkaLibrary).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != MockClusterNative.Library)
        {
            return IntPtr.Zero;
        }
        _ = Confluent.Kafka.Library.VersionString;
        var loaded = File.ReadLines("/proc/self/maps")
            .Select(line => line[(line.LastIndexOf(' ') + 1)..])
            .FirstOrDefault(path => path.Contains("librdkafka", StringComparison.Ordinal) && File.Exists(path));
        return loaded is not null ? NativeLibrary.Load(loaded) : IntPtr.Zero;
    }
}
