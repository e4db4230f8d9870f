using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Cohort.Runtime.Kafka;

/// <summary>
/// Points Confluent.Kafka at Debian's librdkafka1. Its loader asks for "librdkafka" and "libdl", but Debian
/// only ships the versioned sonames (librdkafka.so.1, libdl.so.2) unless the -dev packages are installed.
/// </summary>
internal static class NativeKafkaLibrary
{
    // A module initializer, because the resolver must be in place before any Confluent.Kafka type is touched,
    // whichever entry point (node, CLI, tests) gets there first.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() =>
        NativeLibrary.SetDllImportResolver(typeof(Confluent.Kafka.Library).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) => name switch
    {
        "librdkafka" => NativeLibrary.Load("librdkafka.so.1"),
        "libdl" => NativeLibrary.Load("libdl.so.2"),
        _ => IntPtr.Zero,
    };
}
