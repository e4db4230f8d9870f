using Cohort.Cluster.Persistence;
using Cohort.Domain.Stock;

namespace Cohort.Cluster.Entities.Stock;

/// <summary>A product's state and the request ids it remembers, as of a journal position.</summary>
public sealed record StockSnapshot(StockState State, LoggedRequest[] Requests) : ICohortMessage;
