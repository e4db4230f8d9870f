using System.Text.Json;
using Cohort.Domain;
using Cohort.Domain.Accounts;
using Cohort.Runtime.Entities;
using Cohort.Runtime.Kafka;
using Confluent.Kafka;

namespace Cohort.Runtime.Accounts;

/// <summary>Hosts the domain's <see cref="Account"/> on the runtime.</summary>
public sealed class AccountEntityType(AccountOptions options) : EntityType<AccountState, AccountCommand, AccountEvent>
{
    public const string TypeName = "account";

    private readonly AccountReadModel readModel = new();

    public override string Name => TypeName;

    public override AccountState Initial(string entityId) => AccountState.Empty(entityId);

    public override Decision<AccountEvent> Decide(AccountState state, AccountCommand command) => Account.Decide(state, command);

    public override AccountState Evolve(AccountState state, AccountEvent @event) => Account.Evolve(state, @event);

    public override ParsedCommand<AccountCommand> ParseCommand(Message<string?, byte[]> message) =>
        AccountCommandParser.Parse(message.Value, options.MaxAmount);

    /// <summary>Validates a command given field by field, as the HTTP ingress receives it.</summary>
    public ParsedCommand<AccountCommand> Validate(string type, string requestId, string accountId, string? asset, string? amount, bool amountIsString) =>
        AccountCommandParser.Validate(type, requestId, accountId, asset, amount, amountIsString, options.MaxAmount);

    public override string EventType(AccountEvent @event) => AccountJson.EventType(@event);

    public override string SerializeEvent(AccountEvent @event) => AccountJson.SerializeEvent(@event);

    public override AccountEvent DeserializeEvent(string eventType, string json) => AccountJson.DeserializeEvent(eventType, json);

    public override string SerializeState(AccountState state) => AccountJson.SerializeState(state);

    public override AccountState DeserializeState(string entityId, string json) => AccountJson.DeserializeState(entityId, json);

    public override void WriteAnswer(Utf8JsonWriter w, string requestId, AccountState state, AccountCommand command, long seqNr)
    {
        var balance = state.BalanceOf(command.Asset);
        w.WriteStartObject();
        w.WriteString("accountId", state.AccountId);
        w.WriteString("requestId", requestId);
        w.WriteNumber("seqNr", seqNr);
        w.WriteString("asset", command.Asset);
        w.WriteString("available", Amount.Format(balance.Available));
        w.WriteString("frozen", Amount.Format(balance.Frozen));
        w.WriteEndObject();
    }

    public override IReadModelProjection<AccountState, AccountEvent> ReadModel => readModel;

    /// <summary>Every change goes out on <c>cohort.events.account</c>, keyed by account, in journal order.</summary>
    public override void Publish(JournaledEvent<AccountEvent> journaled, List<OutboundMessage> into) =>
        into.Add(new OutboundMessage(CohortTopics.Events(TypeName), journaled.EntityId, AccountJson.PublicEvent(journaled), IsEvent: true));
}
