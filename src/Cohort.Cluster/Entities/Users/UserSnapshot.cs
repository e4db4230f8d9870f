using Cohort.Cluster.Persistence;
using Cohort.Domain.Users;

namespace Cohort.Cluster.Entities.Users;

/// <summary>A user's state and the request ids it remembers, as of a journal position.</summary>
public sealed record UserSnapshot(UserState State, LoggedRequest[] Requests) : ICohortMessage;
