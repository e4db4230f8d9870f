using System.Text.Json;
using Cohort.Runtime.Ask;
using Cohort.Runtime.Entities;

namespace Cohort.Node.Http;

/// <summary>Sends a validated command to its owner and turns the owner's result into an HTTP answer.</summary>
internal static class CommandAnswers
{
    public static async Task<IResult> AskAsync(CommandBus bus, string entityType, string entityId, byte[] command, CancellationToken ct)
    {
        string result;
        try
        {
            result = await bus.AskAsync(entityType, entityId, command, ct);
        }
        catch (AskTimeoutException e)
        {
            return Problems.Of(Problems.Timeout, e.Message + "; the command may still apply, retry with the same request id");
        }
        catch (Confluent.Kafka.KafkaException e)
        {
            return Problems.Of(Problems.Unavailable, $"the command could not be sent: {e.Error.Reason}; retry with the same request id");
        }
        return FromResult(result);
    }

    /// <summary>Maps a <see cref="CommandResult"/> to 200 with its body, or to a problem with its code.</summary>
    public static IResult FromResult(string resultJson)
    {
        using var doc = JsonDocument.Parse(resultJson);
        var root = doc.RootElement;
        if (root.GetProperty("ok").GetBoolean())
        {
            return Results.Content(root.GetProperty("body").GetRawText(), "application/json");
        }
        return Problems.Of(root.GetProperty("code").GetString()!, root.GetProperty("message").GetString()!);
    }
}
