namespace Cohort.Runtime.Tests.Support;

/// <summary>Tests that run whole nodes share the two cores one at a time, so their timings stay meaningful.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection
{
    public const string Name = "cluster";
}
