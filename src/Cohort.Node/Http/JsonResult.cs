using System.Buffers;
using System.Text.Json;

namespace Cohort.Node.Http;

/// <summary>An answer written straight with a <see cref="Utf8JsonWriter"/>, for bodies whose one form lives beside their type.</summary>
internal static class JsonResult
{
    public static IResult Of(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }
        return Results.Bytes(buffer.WrittenMemory.ToArray(), "application/json; charset=utf-8");
    }
}
