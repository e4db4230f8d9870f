using System.Text.Json;
using Cohort.Cluster.Persistence;
using Cohort.Domain;
using Cohort.Domain.Transfers;

namespace Cohort.Cluster.Entities.Transfers;

/// <summary>Starts a transfer; its request id is its id. Answered once the transfer is journaled, usually still pending.</summary>
public sealed record TransferCommandEnvelope(string TransferId, RequestHash Hash, TransferTerms Terms) : IShardedMessage, ICohortMessage
{
    public string EntityId => TransferId;
}

/// <summary>Answered with the transfer once it is completed or rejected.</summary>
public sealed record AwaitTransfer(string TransferId) : IShardedMessage, ICohortMessage
{
    public string EntityId => TransferId;
}

/// <summary>No transfer was ever started with this id.</summary>
public sealed record TransferNotFound(string TransferId) : ICohortMessage;

/// <summary>A transfer as its process knows it: <c>pending</c>, <c>completed</c> or <c>rejected</c> with the reason.</summary>
public sealed record TransferAnswer(string RequestId, string TransferId, TransferTerms Terms, string Status, string? Reason)
    : CommandAccepted(RequestId)
{
    public const string Pending = "pending";
    public const string Completed = "completed";
    public const string Rejected = "rejected";

    public bool IsFinal => Status is Completed or Rejected;

    public static TransferAnswer Of(string requestId, TransferState state) =>
        new(requestId, state.TransferId, state.Terms, StatusOf(state.Status), state.Reason);

    public static string StatusOf(TransferStatus status) => status switch
    {
        TransferStatus.Completed => Completed,
        TransferStatus.Rejected => Rejected,
        _ => Pending,
    };

    public override void WriteBody(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("requestId", TransferId);
        w.WriteString("from", Terms.From);
        w.WriteString("to", Terms.To);
        w.WriteString("asset", Terms.Asset);
        w.WriteString("amount", Amount.Format(Terms.Amount));
        w.WriteString("status", Status);
        if (Reason is null)
        {
            w.WriteNull("reason");
        }
        else
        {
            w.WriteString("reason", Reason);
        }
        w.WriteEndObject();
    }
}

/// <summary>The transfer's timer: send the step it waits on again, in case it or its answer was lost.</summary>
internal sealed record ResendStep
{
    public static readonly ResendStep Instance = new();
}

/// <summary>One transfer event as the journal holds it.</summary>
public sealed record TransferRecord(Stamp Stamp, TransferEvent Event) : IEventRecord<TransferEvent>;

public sealed record TransferSnapshot(TransferState State, LoggedRequest[] Requests) : ICohortMessage;
