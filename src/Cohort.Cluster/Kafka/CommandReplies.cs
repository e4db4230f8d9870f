using System.Buffers;
using System.Text.Json;
using Cohort.Cluster.Entities;

namespace Cohort.Cluster.Kafka;

/// <summary>
/// The answer sent to a command's <c>cohort-reply-to</c> topic: <c>{"ok":true,"body":{...}}</c> with the body an HTTP
/// client would get, or <c>{"ok":false,"code":"insufficient_funds","message":"..."}</c>.
/// </summary>
public static class CommandReplies
{
    public const string Timeout = "timeout";
    public const string CommandFailed = "command_failed";
    public const string ValidationFailed = Cohort.Domain.RejectionCodes.ValidationFailed;

    public static byte[] Of(CommandReply reply) => reply switch
    {
        CommandAccepted accepted => Write(w =>
        {
            w.WriteBoolean("ok", true);
            w.WritePropertyName("body");
            accepted.WriteBody(w);
        }),
        CommandRejected rejected => Refused(rejected.Code, rejected.Message),
        CommandFailed failed => Refused(CommandFailed, failed.Reason),
        CommandUnavailable unavailable => Refused(Timeout, unavailable.Reason),
        _ => throw new ArgumentOutOfRangeException(nameof(reply), reply, "unknown reply"),
    };

    public static byte[] Refused(string code, string message) => Write(w =>
    {
        w.WriteBoolean("ok", false);
        w.WriteString("code", code);
        w.WriteString("message", message);
    });

    private static byte[] Write(Action<Utf8JsonWriter> properties)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            properties(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
