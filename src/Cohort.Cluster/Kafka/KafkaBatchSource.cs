using System.Threading.Channels;
using Akka;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Cohort.Cluster.Kafka;

/// <summary>
/// A Kafka consumer as an Akka.Streams source of batches. A dedicated thread polls (Confluent's Consume blocks,
/// and it runs the rebalance callbacks) and hands each batch to a bounded channel: when the stream is slow, the
/// poller waits, so nothing is read faster than it is answered.
/// </summary>
public sealed class KafkaBatchSource : IDisposable
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);

    private readonly IConsumer<string?, byte[]> consumer;
    private readonly int maxBatch;
    private readonly ILogger logger;
    private readonly Channel<ConsumeResult<string?, byte[]>[]> batches;
    private readonly CancellationTokenSource stopping = new();
    private readonly Thread poller;

    public KafkaBatchSource(IConsumer<string?, byte[]> consumer, int maxBatch, int buffered, ILogger logger)
    {
        this.consumer = consumer;
        this.maxBatch = maxBatch;
        this.logger = logger;
        batches = Channel.CreateBounded<ConsumeResult<string?, byte[]>[]>(new BoundedChannelOptions(buffered) { SingleWriter = true });
        poller = new Thread(Poll) { IsBackground = true, Name = "kafka-commands" };
    }

    public Source<ConsumeResult<string?, byte[]>[], NotUsed> Source => ChannelSource.FromReader(batches.Reader);

    public Task Completion => batches.Reader.Completion;

    public void Start() => poller.Start();

    /// <summary>Stops polling; the source completes after the batches already read.</summary>
    public void Stop()
    {
        stopping.Cancel();
        if (poller.IsAlive && Thread.CurrentThread != poller)
        {
            poller.Join();
        }
    }

    private void Poll()
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var first = consumer.Consume(PollTimeout);
                if (first is null)
                {
                    continue;
                }
                var batch = new List<ConsumeResult<string?, byte[]>>(maxBatch) { first };
                while (batch.Count < maxBatch && consumer.Consume(TimeSpan.Zero) is { } next)
                {
                    batch.Add(next);
                }
                // A dedicated thread: waiting here is the backpressure.
                batches.Writer.WriteAsync([.. batch], stopping.Token).AsTask().GetAwaiter().GetResult();
            }
            batches.Writer.TryComplete();
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            batches.Writer.TryComplete();
        }
        catch (Exception e)
        {
            logger.LogCritical(e, "Consuming the command topics failed");
            batches.Writer.TryComplete(e);
        }
    }

    public void Dispose() => stopping.Dispose();
}
