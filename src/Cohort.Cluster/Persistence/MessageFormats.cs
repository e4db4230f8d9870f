using System.Text.Json;

namespace Cohort.Cluster.Persistence;

/// <summary>
/// Every JSON form <see cref="CohortSerializer"/> knows: for each message type, the manifest it is stored under and
/// how it is written and read. A manifest names one version of one form forever; a changed form gets a new manifest
/// and its old reader stays, up-casting what the journal already holds.
/// </summary>
public sealed class MessageFormats
{
    private readonly Dictionary<Type, (Func<object, string> Manifest, Action<Utf8JsonWriter, object> Write)> writers = [];
    private readonly Dictionary<string, Func<JsonElement, object>> readers = new(StringComparer.Ordinal);

    /// <summary>A type stored under one manifest.</summary>
    public MessageFormats Add<T>(string manifest, Action<Utf8JsonWriter, T> write, Func<JsonElement, T> read)
        where T : ICohortMessage =>
        Add<T>(_ => manifest, write, (manifest, read));

    /// <summary>A type whose manifest depends on its content (a journal record is stored under its event's manifest).</summary>
    public MessageFormats Add<T>(Func<T, string> manifestOf, Action<Utf8JsonWriter, T> write, params (string Manifest, Func<JsonElement, T> Read)[] reads)
        where T : ICohortMessage
    {
        if (!writers.TryAdd(typeof(T), (m => manifestOf((T)m), (w, m) => write(w, (T)m))))
        {
            throw new InvalidOperationException($"{typeof(T).Name} has two formats");
        }
        foreach (var (manifest, read) in reads)
        {
            if (!readers.TryAdd(manifest, e => read(e)!))
            {
                throw new InvalidOperationException($"manifest '{manifest}' is registered twice");
            }
        }
        return this;
    }

    /// <summary>A wire-only message written by System.Text.Json as it is: it never reaches the journal.</summary>
    public MessageFormats AddWireRecord<T>(string manifest) where T : ICohortMessage =>
        Add<T>(manifest, (w, m) => JsonSerializer.Serialize(w, m, Json.Wire), e => e.Deserialize<T>(Json.Wire)
            ?? throw new InvalidDataException($"'{manifest}' is null"));

    public string ManifestOf(object message) => WriterOf(message).Manifest(message);

    public void Write(Utf8JsonWriter writer, object message) => WriterOf(message).Write(writer, message);

    public object Read(string manifest, JsonElement root) =>
        readers.TryGetValue(manifest, out var read)
            ? read(root)
            : throw new InvalidDataException($"no reader for manifest '{manifest}': a node of another version wrote it, or the journal is not Cohort's");

    /// <summary>A message nested in another (a reply kept in a snapshot): its manifest and its body.</summary>
    public void WriteNested(Utf8JsonWriter writer, string property, object message)
    {
        writer.WriteStartObject(property);
        writer.WriteString("manifest", ManifestOf(message));
        writer.WritePropertyName("body");
        Write(writer, message);
        writer.WriteEndObject();
    }

    public object ReadNested(JsonElement nested) =>
        Read(nested.GetProperty("manifest").GetString()!, nested.GetProperty("body"));

    private (Func<object, string> Manifest, Action<Utf8JsonWriter, object> Write) WriterOf(object message) =>
        writers.TryGetValue(message.GetType(), out var writer)
            ? writer
            : throw new ArgumentException($"{message.GetType().FullName} has no Cohort format", nameof(message));
}
