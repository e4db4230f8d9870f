namespace Cohort.Domain.Users;

/// <summary>
/// One user, whose id is its username (and the id of its account). The password is kept only as a salted, slow hash
/// made outside the entity; the failed logins since the last success are counted in a window, and enough of them
/// lock the user until <see cref="LockedUntil"/>.
/// </summary>
public sealed record UserState(
    string Username,
    bool Exists,
    string Email,
    string PasswordHash,
    DateTime RegisteredAt,
    DateTime? LastLoginAt,
    int FailedLogins,
    DateTime? FailureWindowStart,
    DateTime? LockedUntil)
{
    public static UserState Empty(string username) => new(username, false, "", "", Never, null, 0, null, null);

    /// <summary>The registration time of a user never registered: UTC like every time, so it reads back as written.</summary>
    private static readonly DateTime Never = new(0, DateTimeKind.Utc);

    public bool IsLockedAt(DateTime at) => LockedUntil is { } until && at < until;

    /// <summary>Without the hash: states end up in logs and test output.</summary>
    public override string ToString() =>
        $"UserState {{ Username = {Username}, Exists = {Exists}, Email = {Email}, FailedLogins = {FailedLogins}, LockedUntil = {LockedUntil:O} }}";
}
