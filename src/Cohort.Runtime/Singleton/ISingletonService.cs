namespace Cohort.Runtime.Singleton;

/// <summary>
/// Work that must run on exactly one node of the cluster (reconciliation, pruning). It runs while this node
/// owns <c>cohort.singleton</c> and is cancelled when the node loses it.
/// </summary>
public interface ISingletonService
{
    string Name { get; }

    Task RunAsync(SingletonLease lease, CancellationToken ct);
}
