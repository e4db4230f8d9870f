using Akka.Actor;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Metrics;

namespace Cohort.Cluster.Tests.Support;

/// <summary>What <see cref="ActorAccounts"/> does with one account command.</summary>
public enum Route
{
    /// <summary>To its account, answered to its sender.</summary>
    Deliver,

    /// <summary>Lost on the way: the account never sees it.</summary>
    Drop,

    /// <summary>Applied by its account, but the answer is lost: it goes to the observer instead of the sender.</summary>
    LoseAnswer,
}

/// <summary>Told to the observer for every command routed: which one, how many times its request id came, what happened.</summary>
public sealed record Routed(string RequestId, int Attempt, Route Route);

/// <summary>
/// Stands in for the account shard region: one <see cref="AccountActor"/> child per account id, started on its
/// first message. A route function decides, per command and attempt, whether it arrives and whether its answer does,
/// the way a region losing messages to a rebalance would.
/// </summary>
public sealed class ActorAccounts : ReceiveActor
{
    private readonly Dictionary<string, int> attempts = new(StringComparer.Ordinal);

    public ActorAccounts(EntityOptions options, CohortMetrics metrics, IActorRef observer, Func<AccountCommandEnvelope, int, Route> route)
    {
        Receive<AccountCommandEnvelope>(command =>
        {
            var attempt = attempts[command.RequestId] = attempts.GetValueOrDefault(command.RequestId) + 1;
            var fate = route(command, attempt);
            observer.Tell(new Routed(command.RequestId, attempt, fate));
            switch (fate)
            {
                case Route.Deliver:
                    Account(command.AccountId, options, metrics).Forward(command);
                    break;
                case Route.LoseAnswer:
                    Account(command.AccountId, options, metrics).Tell(command, observer);
                    break;
            }
        });
        Receive<GetAccount>(get => Account(get.AccountId, options, metrics).Forward(get));
    }

    public static Props PropsFor(EntityOptions options, CohortMetrics metrics, IActorRef observer, Func<AccountCommandEnvelope, int, Route>? route = null)
    {
        var decide = route ?? ((_, _) => Route.Deliver);
        return Props.Create(() => new ActorAccounts(options, metrics, observer, decide));
    }

    private static IActorRef Account(string accountId, EntityOptions options, CohortMetrics metrics)
    {
        var child = Context.Child(accountId);
        return child.IsNobody() ? Context.ActorOf(AccountActor.PropsFor(accountId, options, metrics), accountId) : child;
    }
}
