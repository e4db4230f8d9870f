using Cohort.Cluster.Persistence;
using Cohort.Domain.Carts;

namespace Cohort.Cluster.Entities.Carts;

/// <summary>A cart's state and the request ids it remembers, as of a journal position.</summary>
public sealed record CartSnapshot(CartState State, LoggedRequest[] Requests) : ICohortMessage;
