namespace Cohort.Domain.Users;

/// <summary>A change that happened to a user.</summary>
public abstract record UserEvent;

public sealed record UserRegistered(string Email, string PasswordHash, DateTime At) : UserEvent
{
    /// <summary>Without the hash: events end up in logs (a broken invariant names its event).</summary>
    public override string ToString() => $"UserRegistered {{ Email = {Email}, At = {At:O} }}";
}

/// <summary>
/// Carries the count it leads to, the window it counts in and the lock it sets (if any), as decided under the policy
/// of that time: replaying the journal gives the same state whatever the policy is now.
/// </summary>
public sealed record LoginFailed(DateTime At, int FailedLogins, DateTime WindowStart, DateTime? LockedUntil) : UserEvent;

public sealed record LoginSucceeded(DateTime At) : UserEvent;
