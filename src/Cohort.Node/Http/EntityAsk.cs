using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Hosting;
using Cohort.Cluster.Metrics;
using Microsoft.Extensions.Options;

namespace Cohort.Node.Http;

/// <summary>
/// Sends a message to an entity through its shard region and waits for the answer. Sharding delivers at most once
/// (a shard moving to another node drops what it buffered), so a missing answer is a 504 the client retries with
/// the same request id, never a guess.
/// </summary>
internal sealed class EntityAsk(IOptions<NodeOptions> node, CohortMetrics metrics)
{
    public TimeSpan Timeout => node.Value.AskTimeout;

    /// <returns>The entity's answer, or null when none came within <paramref name="timeout"/>.</returns>
    public async Task<object?> AskAsync(IActorRef region, string entityType, IShardedMessage message, TimeSpan timeout, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var answer = await region.Ask<object>(message, timeout, ct);
            metrics.Asked(entityType, Stopwatch.GetElapsedTime(started));
            return answer;
        }
        catch (AskTimeoutException)
        {
            metrics.AskTimedOut(entityType);
            return null;
        }
    }

    public Task<object?> AskAsync(IActorRef region, string entityType, IShardedMessage message, CancellationToken ct) =>
        AskAsync(region, entityType, message, Timeout, ct);

    /// <summary>The HTTP answer to a command's reply: its body when accepted, a problem otherwise.</summary>
    public static IResult ToResult(object? reply, string what) => reply switch
    {
        CommandAccepted accepted => Results.Content(Body(accepted), "application/json"),
        CommandRejected rejected => Problems.Of(rejected.Code, rejected.Message),
        CommandUnavailable unavailable => Problems.Of(Problems.Unavailable, unavailable.Reason),
        CommandFailed failed => Problems.Of(Problems.CommandFailed, $"{what} failed: {failed.Reason}; it was not applied"),
        null => Problems.Of(Problems.Timeout, $"{what} got no answer in time; it may still apply: retry with the same request id"),
        _ => throw new InvalidOperationException($"unexpected answer {reply.GetType().Name} to {what}"),
    };

    public static string Body(CommandAccepted accepted)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            accepted.WriteBody(writer);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
