namespace Cohort.Cluster.Entities;

/// <summary>A command read off the wire (HTTP, Kafka): the message for its entity, or why it is not one.</summary>
public readonly record struct Parsed<TMessage>(TMessage? Message, string? Error)
    where TMessage : class
{
    public static Parsed<TMessage> Invalid(string error) => new(null, error);

    public static Parsed<TMessage> Valid(TMessage message) => new(message, null);
}
