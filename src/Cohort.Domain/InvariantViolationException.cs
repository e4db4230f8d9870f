namespace Cohort.Domain;

/// <summary>
/// A state that must never exist was about to be produced. The runtime fails the whole batch rather than
/// write it: this signals a bug, never a user error.
/// </summary>
public sealed class InvariantViolationException(string message) : Exception(message);
