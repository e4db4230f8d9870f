using System.Text.Json;
using Cohort.Runtime.Ask;
using Cohort.Runtime.Entities;

namespace Cohort.Node.Http;

/// <summary>Sends a validated command to its owner and turns the owner's result into an HTTP answer.</summary>
internal static class CommandAnswers
{
    public static async Task<Outcome> AskAsync(CommandBus bus, string entityType, string entityId, byte[] command, CancellationToken ct)
    {
        string result;
        try
        {
            result = await bus.AskAsync(entityType, entityId, command, ct);
        }
        catch (AskTimeoutException e)
        {
            return new Failed(Problems.Of(Problems.Timeout, e.Message + "; the command may still apply, retry with the same request id"));
        }
        catch (Confluent.Kafka.KafkaException e)
        {
            return new Failed(Problems.Of(Problems.Unavailable, $"the command could not be sent: {e.Error.Reason}; retry with the same request id"));
        }
        return FromResult(result);
    }

    /// <summary>Reads a <see cref="CommandResult"/>: its body when accepted, its problem when refused.</summary>
    public static Outcome FromResult(string resultJson)
    {
        using var doc = JsonDocument.Parse(resultJson);
        var root = doc.RootElement;
        return root.GetProperty("ok").GetBoolean()
            ? new Accepted(root.GetProperty("body").GetRawText())
            : new Failed(Problems.Of(root.GetProperty("code").GetString()!, root.GetProperty("message").GetString()!));
    }

    internal abstract record Outcome
    {
        public abstract IResult ToResult();
    }

    internal sealed record Accepted(string BodyJson) : Outcome
    {
        public override IResult ToResult() => Results.Content(BodyJson, "application/json");
    }

    internal sealed record Failed(IResult Problem) : Outcome
    {
        public override IResult ToResult() => Problem;
    }
}
