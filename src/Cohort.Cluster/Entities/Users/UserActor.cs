using Akka.Actor;
using Cohort.Cluster.Metrics;
using Cohort.Cluster.Persistence;
using Cohort.Domain;
using Cohort.Domain.Users;

namespace Cohort.Cluster.Entities.Users;

/// <summary>
/// One user, hosted on the node its shard lives on: the only writer of its registration and its failed-login count,
/// so concurrent registrations of one name have one winner and the count survives failover. It never sees a password.
/// </summary>
public sealed class UserActor(string username, EntityOptions options, CohortMetrics metrics)
    : JournaledEntity<UserState, UserCommand, UserEvent, UserRecord>(UserRegion.TypeName, username, UserState.Empty(username), options, metrics)
{
    public static Props PropsFor(string username, EntityOptions options, CohortMetrics metrics) =>
        Props.Create(() => new UserActor(username, options, metrics));

    protected override void OnMessage(object message)
    {
        switch (message)
        {
            case UserCommandEnvelope command:
                Execute(command.RequestId, command.Hash, command.Command, Sender);
                break;
            case GetUser:
                Sender.Tell(new UserCredentials(UserProfile.Of(State), State.PasswordHash));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    protected override Decision<UserEvent> Decide(UserState state, UserCommand command) => User.Decide(state, command);

    protected override UserState Evolve(UserState state, UserEvent @event) => User.Evolve(state, @event);

    protected override UserRecord Record(Stamp stamp, UserEvent @event, UserState after) => new(stamp, @event);

    protected override CommandAccepted Accept(Stamp stamp, UserRecord last, UserState after, long seqNr) =>
        new UserCommandAccepted(stamp.RequestId, seqNr, UserProfile.Of(after));

    protected override ICohortMessage Snapshot(UserState state, LoggedRequest[] requests) => new UserSnapshot(state, requests);

    protected override (UserState State, IReadOnlyList<LoggedRequest> Requests) Restore(object snapshot) =>
        snapshot is UserSnapshot s
            ? (s.State, s.Requests)
            : throw new InvalidDataException($"{PersistenceId}: unexpected snapshot {snapshot.GetType().Name}");
}
