using System.Buffers;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;

namespace Cohort.Cluster.Persistence;

/// <summary>
/// Writes every <see cref="ICohortMessage"/> as UTF-8 JSON under a versioned manifest, so the journal is readable
/// with <c>convert_from(message, 'UTF8')</c> and survives renamed .NET types. Its identifier is in every journal row
/// it wrote: it can never change.
/// </summary>
public sealed class CohortSerializer(ExtendedActorSystem system, MessageFormats formats) : SerializerWithStringManifest(system)
{
    public const int Id = 4100;

    public override int Identifier => Id;

    public override string Manifest(object o) => formats.ManifestOf(o);

    public override byte[] ToBinary(object obj)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            formats.Write(writer, obj);
        }
        return buffer.WrittenSpan.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        using var doc = JsonDocument.Parse(bytes);
        return formats.Read(manifest, doc.RootElement);
    }
}
