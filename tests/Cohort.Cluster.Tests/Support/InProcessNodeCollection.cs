namespace Cohort.Cluster.Tests.Support;

/// <summary>
/// The test classes that run a node on the shared Kafka mock, one class at a time. Every node consumes the shared
/// command topics in a group of its own, so two nodes running together would both apply each other's commands (in
/// their own databases), dead-letter and answer them twice, and publish each other's events on the shared event
/// topic; one node at a time keeps what a test sees on those topics its own node's doing.
/// </summary>
[CollectionDefinition(Name)]
public sealed class InProcessNodeCollection
{
    public const string Name = "in-process node";
}
