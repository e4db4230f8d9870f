namespace Cohort.Node.Tests.Support;

/// <summary>
/// Tests that run whole node processes share the two cores one at a time: run in parallel they would starve each
/// other's Kafka heartbeats and their failover timings would mean nothing.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NodeCollection
{
    public const string Name = "node-processes";
}
