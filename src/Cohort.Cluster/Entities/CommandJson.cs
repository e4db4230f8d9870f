using System.Text.Json;

namespace Cohort.Cluster.Entities;

/// <summary>The envelope every JSON command of a Kafka topic shares: valid UTF-8, valid JSON, an object.</summary>
public static class CommandJson
{
    /// <summary>Reads <paramref name="json"/> as one JSON object and hands it to <paramref name="read"/>, or says what it is not.</summary>
    public static Parsed<TMessage> Parse<TMessage>(ReadOnlySpan<byte> json, Func<JsonElement, Parsed<TMessage>> read)
        where TMessage : class
    {
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            return Parsed<TMessage>.Invalid("the command is not valid UTF-8");
        }
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 4 });
        try
        {
            using var doc = JsonDocument.ParseValue(ref reader);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                ? read(doc.RootElement)
                : Parsed<TMessage>.Invalid("the command must be a JSON object");
        }
        catch (JsonException e)
        {
            return Parsed<TMessage>.Invalid($"the command is not valid JSON: {e.Message}");
        }
    }
}
