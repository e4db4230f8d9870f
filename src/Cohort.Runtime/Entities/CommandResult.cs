using System.Buffers;
using System.Text;
using System.Text.Json;
using Cohort.Domain;

namespace Cohort.Runtime.Entities;

/// <summary>
/// The answer to a command, as JSON text: <c>{"ok":true,"body":{...}}</c> or
/// <c>{"ok":false,"code":"insufficient_funds","message":"..."}</c>. Stored with the events and replied as is.
/// </summary>
public static class CommandResult
{
    public static string Ok(Action<Utf8JsonWriter> writeBody)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteBoolean("ok", true);
            w.WritePropertyName("body");
            writeBody(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string Rejected(Rejection rejection)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteBoolean("ok", false);
            w.WriteString("code", rejection.Code);
            w.WriteString("message", rejection.Message);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
