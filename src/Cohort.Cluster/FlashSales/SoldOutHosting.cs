using Akka.Hosting;

namespace Cohort.Cluster.FlashSales;

public static class SoldOutHosting
{
    /// <summary>
    /// Starts the node's <see cref="SoldOutReplica"/> with the ActorSystem, registered for the stock actors to find.
    /// Needs a clustered ActorSystem: the replicated data lives on the cluster's members.
    /// </summary>
    public static AkkaConfigurationBuilder WithSoldOutBoard(this AkkaConfigurationBuilder akka, SoldOutBoard board) =>
        akka.WithActors((system, registry) =>
            registry.Register<SoldOutReplica>(system.ActorOf(SoldOutReplica.PropsFor(board), "sold-out-replica")));
}
