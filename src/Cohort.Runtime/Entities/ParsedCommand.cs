using Cohort.Domain;

namespace Cohort.Runtime.Entities;

/// <summary>
/// A command message read off the wire. When <see cref="Invalid"/> is set the message could not be understood
/// and is answered with it; ids may then be empty.
/// </summary>
/// <param name="PayloadHash">Hash of the command's meaning (not its bytes), to tell a replay from a conflicting reuse of its request id.</param>
public readonly record struct ParsedCommand<TCommand>(
    string EntityId, string RequestId, TCommand? Command, byte[] PayloadHash, Rejection? Invalid)
{
    public static ParsedCommand<TCommand> Reject(string entityId, string requestId, string message) =>
        new(entityId, requestId, default, [], Rejection.Validation(message));
}
