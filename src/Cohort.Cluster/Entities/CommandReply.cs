using System.Text.Json;
using Cohort.Cluster.Persistence;

namespace Cohort.Cluster.Entities;

/// <summary>An entity's answer to a command, sent only once what it says is in the journal.</summary>
public abstract record CommandReply(string RequestId) : ICohortMessage;

/// <summary>An accepted command's answer, with the body clients see over HTTP and Kafka.</summary>
public abstract record CommandAccepted(string RequestId) : CommandReply(RequestId)
{
    public abstract void WriteBody(Utf8JsonWriter writer);
}

/// <summary>The command was refused (insufficient funds, a reused request id, ...); nothing changed.</summary>
public sealed record CommandRejected(string RequestId, string Code, string Message) : CommandReply(RequestId);

/// <summary>
/// The entity threw on this command (a broken invariant, a bug): it was not applied, and the entity restarted from
/// its journal. Sending it again fails the same way until the cause is fixed.
/// </summary>
public sealed record CommandFailed(string RequestId, string Reason) : CommandReply(RequestId);

/// <summary>The command may or may not have been applied (the journal failed, the entity restarted): send it again with the same request id.</summary>
public sealed record CommandUnavailable(string RequestId, string Reason) : CommandReply(RequestId);
