using Confluent.Kafka;

namespace Cohort.Runtime.Partitions;

/// <summary>
/// A command in a partition's inbox. Either consumed from Kafka (answered on its reply topic when it names one,
/// its offset stored once committed), or handed over by this node's own ingress because this node owns the
/// partition (answered through <see cref="LocalAnswer"/>, never in the Kafka log).
/// </summary>
internal readonly struct Submission
{
    private Submission(Message<string?, byte[]> message, long offset, TaskCompletionSource<string>? localAnswer)
    {
        Message = message;
        Offset = offset;
        LocalAnswer = localAnswer;
    }

    public Message<string?, byte[]> Message { get; }

    /// <summary>The Kafka offset it was consumed at; -1 for a local submission.</summary>
    public long Offset { get; }

    public TaskCompletionSource<string>? LocalAnswer { get; }

    public static Submission Consumed(ConsumeResult<string?, byte[]> result) => new(result.Message, result.Offset.Value, null);

    public static Submission Local(Message<string?, byte[]> message, TaskCompletionSource<string> answer) => new(message, -1, answer);
}
