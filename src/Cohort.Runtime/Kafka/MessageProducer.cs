using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cohort.Runtime.Kafka;

/// <summary>The node's one Kafka producer: commands it asks, answers it gives, events it publishes.</summary>
public sealed class MessageProducer : IDisposable
{
    private readonly IProducer<string?, byte[]> producer;
    private readonly ILogger<MessageProducer> logger;

    public MessageProducer(IOptions<KafkaOptions> options, ILogger<MessageProducer> logger)
    {
        this.logger = logger;
        producer = new ProducerBuilder<string?, byte[]>(new ProducerConfig
            {
                BootstrapServers = options.Value.BootstrapServers,
                Acks = Acks.All,
                EnableIdempotence = true,
                LingerMs = options.Value.LingerMs,
                SocketNagleDisable = true,
                // Every Cohort producer and the owners' partition check agree on Kafka's standard key hash.
                Partitioner = Partitioner.Murmur2Random,
            })
            .SetErrorHandler((_, e) => logger.LogWarning("Kafka producer error {Code}: {Reason}", e.Code, e.Reason))
            .Build();
    }

    /// <summary>
    /// Sends without waiting. <paramref name="onReport"/> hears when Kafka has the message (null) or did not
    /// take it (the error).
    /// </summary>
    public void Send(string topic, string? key, byte[] value, Headers? headers = null, Action<Error?>? onReport = null)
    {
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

    public Task<DeliveryResult<string?, byte[]>> SendAsync(string topic, string? key, byte[] value, CancellationToken ct) =>
        producer.ProduceAsync(topic, new Message<string?, byte[]> { Key = key, Value = value }, ct);

    public void Flush(TimeSpan timeout) => producer.Flush(timeout);

    public void Dispose()
    {
        producer.Flush(TimeSpan.FromSeconds(5));
        producer.Dispose();
    }
}
