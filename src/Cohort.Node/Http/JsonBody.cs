using System.Text.Json;

namespace Cohort.Node.Http;

/// <summary>Reads a small JSON object body, refusing oversized or malformed ones with a clear message.</summary>
internal static class JsonBody
{
    public const int MaxBytes = 16 * 1024;

    public static async Task<(JsonDocument? Document, string? Error)> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        var body = await ReadBytesAsync(request, ct);
        if (body is null)
        {
            return (null, $"the body is larger than {MaxBytes} bytes");
        }
        try
        {
            var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                doc.Dispose();
                return (null, "the body must be a JSON object");
            }
            return (doc, null);
        }
        catch (JsonException e)
        {
            return (null, $"the body is not valid JSON: {e.Message}");
        }
    }

    /// <returns>The whole body, or null when it is larger than <see cref="MaxBytes"/>.</returns>
    public static async Task<byte[]?> ReadBytesAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBytes)
        {
            return null;
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>A string property, or null when absent, null or not a string.</summary>
    public static string? String(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static bool IsAbsentOrString(JsonElement obj, string name) =>
        !obj.TryGetProperty(name, out var value) || value.ValueKind is JsonValueKind.String or JsonValueKind.Null;
}
