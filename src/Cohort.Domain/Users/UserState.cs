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
    public static UserState Empty(string username) => new(username, false, "", "", default, null, 0, null, null);

    public bool IsLockedAt(DateTime at) => LockedUntil is { } until && at < until;
}
