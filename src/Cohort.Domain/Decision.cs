namespace Cohort.Domain;

/// <summary>The outcome of deciding one command: the events to append, or the rejection to answer with.</summary>
public readonly record struct Decision<TEvent>(IReadOnlyList<TEvent> Events, Rejection? Rejection)
{
    public bool IsRejected => Rejection is not null;

    public static Decision<TEvent> Accept(params TEvent[] events) => new(events, null);

    public static Decision<TEvent> Reject(string code, string message) => new([], new Rejection(code, message));
}
