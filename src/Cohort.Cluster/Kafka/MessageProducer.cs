using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cohort.Cluster.Kafka;

/// <summary>
/// The node's Kafka producers: one for what someone waits on (answers, dead letters, alerts), and one for the
/// events it publishes, which lingers longer to send them in fewer requests.
/// </summary>
public sealed class MessageProducer : IDisposable
{
    private readonly IProducer<string?, byte[]> prompt;
    private readonly IProducer<string?, byte[]> events;
    private readonly ILogger<MessageProducer> logger;

    public MessageProducer(IOptions<KafkaOptions> options, ILogger<MessageProducer> logger)
    {
        this.logger = logger;
        prompt = Build(options.Value, options.Value.LingerMs);
        events = Build(options.Value, options.Value.EventLingerMs);
    }

    /// <summary>
    /// Sends without waiting. <paramref name="onReport"/> hears when Kafka has the message (null) or did not
    /// take it (the error).
    /// </summary>
    public void Send(string topic, string? key, byte[] value, Headers? headers = null, Action<Error?>? onReport = null) =>
        Produce(prompt, topic, key, value, headers, onReport);

    /// <summary>Publishes an event on the producer that lingers: nobody's answer waits on it.</summary>
    public void SendEvent(string topic, string key, byte[] value, Action<Error?> onReport) =>
        Produce(events, topic, key, value, null, onReport);

    /// <summary>
    /// Publishes an event on the lingering producer; the task completes once Kafka has it, or fails with why not.
    /// Projections await a batch's events before they store its offset.
    /// </summary>
    public Task PublishEventAsync(string topic, string key, byte[] value)
    {
        var delivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        SendEvent(topic, key, value, error =>
        {
            if (error is null)
            {
                delivered.TrySetResult();
            }
            else
            {
                delivered.TrySetException(new KafkaException(error));
            }
        });
        return delivered.Task;
    }

    public Task<DeliveryResult<string?, byte[]>> SendAsync(string topic, string? key, byte[] value, CancellationToken ct, Headers? headers = null) =>
        prompt.ProduceAsync(topic, new Message<string?, byte[]> { Key = key, Value = value, Headers = headers }, ct);

    /// <summary>Waits until Kafka has everything sent so far, or <paramref name="timeout"/> passed for both producers together.</summary>
    public void Flush(TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        prompt.Flush(timeout);
        var left = timeout - Stopwatch.GetElapsedTime(started);
        events.Flush(left > TimeSpan.Zero ? left : TimeSpan.Zero);
    }

    public void Dispose()
    {
        Flush(TimeSpan.FromSeconds(5));
        prompt.Dispose();
        events.Dispose();
    }

    private IProducer<string?, byte[]> Build(KafkaOptions options, int lingerMs) =>
        new ProducerBuilder<string?, byte[]>(new ProducerConfig
            {
                BootstrapServers = options.BootstrapServers,
                Acks = Acks.All,
                EnableIdempotence = true,
                LingerMs = lingerMs,
                SocketNagleDisable = true,
                // Kafka's standard key hash, as the Java client and most services that read these topics use.
                Partitioner = Partitioner.Murmur2Random,
            })
            .SetErrorHandler((_, e) => logger.LogWarning("Kafka producer error {Code}: {Reason}", e.Code, e.Reason))
            .Build();

    private void Produce(
        IProducer<string?, byte[]> producer, string topic, string? key, byte[] value, Headers? headers, Action<Error?>? onReport) =>
        producer.Produce(topic, new Message<string?, byte[]> { Key = key, Value = value, Headers = headers }, report =>
        {
            if (report.Error.IsError)
            {
                logger.LogWarning("Kafka did not take a message for {Topic}: {Reason}", topic, report.Error.Reason);
                onReport?.Invoke(report.Error);
            }
            else
            {
                onReport?.Invoke(null);
            }
        });
}
