using System.Text;
using System.Text.Json;
using Cohort.Domain;
using Cohort.Domain.Transfers;
using Cohort.Runtime.Accounts;
using Cohort.Runtime.Entities;
using Cohort.Runtime.Kafka;
using Confluent.Kafka;

namespace Cohort.Runtime.Transfers;

/// <summary>
/// Hosts the transfer process. Each step it takes is an account command sent from its journaled event, with
/// the step's deterministic request id, and the account answers back onto the transfer's own partition.
/// </summary>
public sealed class TransferEntityType(AccountOptions accounts) : EntityType<TransferState, TransferCommand, TransferEvent>
{
    public const string TypeName = "transfer";

    private readonly TransferReadModel readModel = new();

    public override string Name => TypeName;

    public override TransferState Initial(string entityId) => TransferState.New(entityId);

    public override Decision<TransferEvent> Decide(TransferState state, TransferCommand command) => Transfer.Decide(state, command);

    public override TransferState Evolve(TransferState state, TransferEvent @event) => Transfer.Evolve(state, @event);

    public override ParsedCommand<TransferCommand> ParseCommand(Message<string?, byte[]> message) =>
        TransferCommandParser.Parse(message, accounts.MaxAmount);

    /// <summary>Validates a transfer as the HTTP ingress receives it.</summary>
    public ParsedCommand<TransferCommand> Validate(string requestId, string? from, string? to, string? asset, string? amount, bool amountIsString) =>
        TransferCommandParser.Validate(requestId, from, to, asset, amount, amountIsString, accounts.MaxAmount);

    public override string EventType(TransferEvent @event) => TransferJson.EventType(@event);

    public override string SerializeEvent(TransferEvent @event) => TransferJson.SerializeEvent(@event);

    public override TransferEvent DeserializeEvent(string eventType, string json) => TransferJson.DeserializeEvent(eventType, json);

    public override string SerializeState(TransferState state) => TransferJson.SerializeState(state);

    public override TransferState DeserializeState(string entityId, string json) => TransferJson.DeserializeState(entityId, json);

    public override void WriteAnswer(Utf8JsonWriter w, string requestId, TransferState state, TransferCommand command, long seqNr) =>
        WriteTransfer(w, state.TransferId, state.Terms, TransferJson.Status(state.Status), state.Reason);

    public static void WriteTransfer(Utf8JsonWriter w, string transferId, TransferTerms terms, string status, string? reason)
    {
        w.WriteStartObject();
        w.WriteString("requestId", transferId);
        w.WriteString("from", terms.From);
        w.WriteString("to", terms.To);
        w.WriteString("asset", terms.Asset);
        w.WriteString("amount", Amount.Format(terms.Amount));
        w.WriteString("status", status);
        if (reason is null)
        {
            w.WriteNull("reason");
        }
        else
        {
            w.WriteString("reason", reason);
        }
        w.WriteEndObject();
    }

    public override IReadModelProjection<TransferState, TransferEvent> ReadModel => readModel;

    public override void Publish(JournaledEvent<TransferEvent> journaled, List<OutboundMessage> into)
    {
        var t = journaled.Event.Terms;
        var step = journaled.Event switch
        {
            TransferStarted => ("transferDebit", t.From, t.To, TransferStep.Debit),
            TransferDebitConfirmed => ("transferCredit", t.To, t.From, TransferStep.Credit),
            TransferCreditRefused => ("transferRefund", t.From, t.To, TransferStep.Refund),
            _ => default((string Type, string Account, string Counterparty, TransferStep Step)?),
        };
        if (step is not { } s)
        {
            return;
        }
        var transferId = journaled.EntityId;
        var requestId = TransferSteps.RequestId(transferId, s.Step);
        var command = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["type"] = s.Type, ["requestId"] = requestId, ["accountId"] = s.Account, ["asset"] = t.Asset,
            ["amount"] = Amount.Format(t.Amount), ["transferId"] = transferId, ["counterparty"] = s.Counterparty,
        });
        var headers = new Headers
        {
            { CohortHeaders.ReplyTo, Encoding.UTF8.GetBytes(CohortTopics.Commands(TypeName)) },
            { CohortHeaders.CorrelationId, Encoding.UTF8.GetBytes(requestId) },
            { CohortHeaders.ReplyKey, Encoding.UTF8.GetBytes(transferId) },
        };
        into.Add(new OutboundMessage(CohortTopics.Commands(AccountEntityType.TypeName), s.Account, command, headers));
    }
}
