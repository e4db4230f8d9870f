using System.Diagnostics;
using System.Text;
using Cohort.Runtime.Hosting;
using Cohort.Runtime.Kafka;
using Cohort.Runtime.Metrics;
using Confluent.Kafka;
using Microsoft.Extensions.Options;

namespace Cohort.Runtime.Ask;

/// <summary>
/// Sends a command to its entity's owner and waits for the answer: handed over in memory when this node owns
/// the entity's partition, through Kafka otherwise.
/// </summary>
public sealed class CommandBus(
    MessageProducer producer, ReplyListener replies, ILocalDelivery local, RuntimeMetrics metrics, IOptions<NodeOptions> node)
{
    /// <returns>The owner's result JSON (see <see cref="Entities.CommandResult"/>).</returns>
    /// <exception cref="AskTimeoutException">No answer within the ask timeout.</exception>
    public async Task<string> AskAsync(string entityType, string entityId, byte[] command, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var timeout = node.Value.AskTimeout;
        try
        {
            if (local.TryDeliver(entityType, entityId, command) is { } answer)
            {
                try
                {
                    var result = await answer.WaitAsync(timeout, ct);
                    metrics.AskAnswered(local: true, Stopwatch.GetElapsedTime(started));
                    return result;
                }
                catch (PartitionReleasedException)
                {
                    metrics.AskRerouted();
                }
            }
            var left = timeout - Stopwatch.GetElapsedTime(started);
            var remote = await AskThroughKafkaAsync(entityType, entityId, command, left > TimeSpan.Zero ? left : TimeSpan.Zero, ct);
            metrics.AskAnswered(local: false, Stopwatch.GetElapsedTime(started));
            return remote;
        }
        catch (TimeoutException)
        {
            metrics.AskTimedOut();
            throw new AskTimeoutException(entityType, entityId, timeout);
        }
    }

    private async Task<string> AskThroughKafkaAsync(string entityType, string entityId, byte[] command, TimeSpan timeout, CancellationToken ct)
    {
        var correlationId = Guid.NewGuid().ToString("N");
        var answer = replies.Expect(correlationId);
        var headers = new Headers
        {
            { CohortHeaders.ReplyTo, Encoding.UTF8.GetBytes(replies.Topic) },
            { CohortHeaders.CorrelationId, Encoding.UTF8.GetBytes(correlationId) },
        };
        try
        {
            producer.Send(CohortTopics.Commands(entityType), entityId, command, headers,
                error =>
                {
                    if (error is not null)
                    {
                        answer.TrySetException(new KafkaException(error));
                    }
                });
            return await answer.Task.WaitAsync(timeout, ct);
        }
        finally
        {
            replies.Forget(correlationId);
        }
    }
}
