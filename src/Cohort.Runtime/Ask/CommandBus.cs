using System.Diagnostics;
using System.Text;
using Cohort.Runtime.Hosting;
using Cohort.Runtime.Kafka;
using Cohort.Runtime.Metrics;
using Confluent.Kafka;
using Microsoft.Extensions.Options;

namespace Cohort.Runtime.Ask;

/// <summary>Sends a command to its entity's owner through Kafka and waits for the answer.</summary>
public sealed class CommandBus(MessageProducer producer, ReplyListener replies, RuntimeMetrics metrics, IOptions<NodeOptions> node)
{
    /// <returns>The owner's result JSON (see <see cref="Entities.CommandResult"/>).</returns>
    /// <exception cref="AskTimeoutException">No answer within the ask timeout.</exception>
    public async Task<string> AskAsync(string entityType, string entityId, byte[] command, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
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
            var timeout = node.Value.AskTimeout;
            var result = await answer.Task.WaitAsync(timeout, ct);
            metrics.AskDuration.Observe(Stopwatch.GetElapsedTime(started));
            return result;
        }
        catch (TimeoutException)
        {
            metrics.AskTimedOut();
            throw new AskTimeoutException(entityType, entityId, node.Value.AskTimeout);
        }
        finally
        {
            replies.Forget(correlationId);
        }
    }
}
