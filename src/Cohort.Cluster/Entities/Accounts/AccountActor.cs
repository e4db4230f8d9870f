using Akka.Actor;
using Cohort.Cluster.Metrics;
using Cohort.Cluster.Persistence;
using Cohort.Domain;
using Cohort.Domain.Accounts;

namespace Cohort.Cluster.Entities.Accounts;

/// <summary>One account, hosted on the node its shard lives on: the only writer of its balances.</summary>
public sealed class AccountActor(string accountId, EntityOptions options, CohortMetrics metrics)
    : JournaledEntity<AccountState, AccountCommand, AccountEvent, AccountRecord>(
        AccountRegion.TypeName, accountId, AccountState.Empty(accountId), options, metrics)
{
    public static Props PropsFor(string accountId, EntityOptions options, CohortMetrics metrics) =>
        Props.Create(() => new AccountActor(accountId, options, metrics));

    protected override void OnMessage(object message)
    {
        switch (message)
        {
            case AccountCommandEnvelope command:
                Execute(command.RequestId, command.Hash, command.Command, Sender);
                break;
            case GetAccount:
                Sender.Tell(AccountBalances.Of(State));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    protected override Decision<AccountEvent> Decide(AccountState state, AccountCommand command) => Account.Decide(state, command);

    protected override AccountState Evolve(AccountState state, AccountEvent @event) => Account.Evolve(state, @event);

    protected override AccountRecord Record(Stamp stamp, AccountEvent @event, AccountState after) =>
        new(stamp, @event, after.BalanceOf(@event.Asset));

    protected override CommandAccepted Accept(Stamp stamp, AccountRecord last, AccountState after, long seqNr) =>
        new AccountCommandAccepted(stamp.RequestId, EntityId, seqNr, last.Event.Asset, last.After.Available, last.After.Frozen);

    protected override ICohortMessage Snapshot(AccountState state, LoggedRequest[] requests) => new AccountSnapshot(state, requests);

    protected override (AccountState State, IReadOnlyList<LoggedRequest> Requests) Restore(object snapshot) =>
        snapshot is AccountSnapshot s
            ? (s.State, s.Requests)
            : throw new InvalidDataException($"{PersistenceId}: unexpected snapshot {snapshot.GetType().Name}");
}
