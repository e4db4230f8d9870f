using Cohort.Cluster.Kafka;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cohort.Cli.Commands;

/// <summary>
/// Stands in for a node in <c>cohort bench kafka --echo</c>: reads every partition of the command topic from its
/// end, and for each command sends what a node sends through the node's own <see cref="MessageProducer"/> (an
/// answer to its reply address, and the one event its journal row becomes once the projection publishes it), but
/// decides nothing and touches no database. What such a run costs is the least any node can cost through Kafka on
/// this machine.
/// </summary>
internal sealed class BenchEchoResponder : IDisposable
{
    private static readonly byte[] Answer = """{"ok":true,"echo":true}"""u8.ToArray();

    private readonly IConsumer<string?, byte[]> consumer;
    private readonly MessageProducer producer;
    private readonly string eventTopic;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    /// <summary>Starts answering what is produced to <paramref name="commandTopic"/> from now on.</summary>
    public BenchEchoResponder(string bootstrap, string commandTopic, string eventTopic, CancellationToken ct)
    {
        this.eventTopic = eventTopic;
        consumer = new ConsumerBuilder<string?, byte[]>(new ConsumerConfig
            {
                BootstrapServers = bootstrap,
                GroupId = $"cohort-bench-echo-{BenchCommand.NewRunId()}",
                EnableAutoCommit = false,
                FetchWaitMaxMs = 10,
                SocketNagleDisable = true,
            })
            .SetErrorHandler((_, e) => Console.Error.WriteLine($"bench kafka: echo consumer error {e.Code}: {e.Reason}"))
            .Build();
        List<TopicPartitionOffset> ends;
        try
        {
            ends = BenchKafkaClients.TopicEnds("kafka", consumer, commandTopic, ct);
            consumer.Assign(ends);
        }
        catch
        {
            consumer.Dispose();
            throw;
        }
        producer = new MessageProducer(Options.Create(new KafkaOptions { BootstrapServers = bootstrap }), NullLogger<MessageProducer>.Instance);
        Console.WriteLine($"bench kafka: echo responder reads {ends.Count} partitions of {commandTopic} from their ends");
        loop = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public void Dispose()
    {
        stop.Cancel();
        loop.Wait();
        producer.Flush(TimeSpan.FromSeconds(10));
        consumer.Close();
        consumer.Dispose();
        producer.Dispose();
        stop.Dispose();
    }

    private void Run()
    {
        while (!stop.IsCancellationRequested)
        {
            ConsumeResult<string?, byte[]>? result;
            try
            {
                result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            }
            catch (ConsumeException e)
            {
                Console.Error.WriteLine($"bench kafka: echo responder could not read: {e.Error.Reason}");
                continue;
            }
            if (result?.Message is not { } message)
            {
                continue;
            }
            producer.SendEvent(eventTopic, message.Key ?? "", message.Value, IgnoreReport);
            if (CohortHeaders.Get(message.Headers, CohortHeaders.ReplyTo) is not { } replyTo)
            {
                continue;
            }
            // As a node answers: keyed by the command's correlation id.
            producer.Send(replyTo, CohortHeaders.Get(message.Headers, CohortHeaders.CorrelationId), Answer);
        }
    }

    // A node's outbox counts confirmations to move its cursor; here there is no cursor to move.
    private static void IgnoreReport(Error? error)
    {
    }
}
