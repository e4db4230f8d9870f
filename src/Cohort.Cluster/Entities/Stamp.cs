using Cohort.Cluster.Persistence;

namespace Cohort.Cluster.Entities;

/// <summary>What every journal record carries about the command that wrote it: its request id, its meaning's hash, when.</summary>
public readonly record struct Stamp(string RequestId, RequestHash Hash, DateTime At);
