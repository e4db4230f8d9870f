using Cohort.Domain.Users;

namespace Cohort.Cluster.Entities.Users;

/// <summary>One user event as the journal holds it.</summary>
public sealed record UserRecord(Stamp Stamp, UserEvent Event) : IEventRecord<UserEvent>;
