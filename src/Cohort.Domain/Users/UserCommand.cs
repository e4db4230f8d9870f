namespace Cohort.Domain.Users;

/// <summary>A request to change a user. Times come with the command: the domain reads no clock.</summary>
public abstract record UserCommand;

/// <summary>Creates the user; <see cref="PasswordHash"/> is already the stored form, never the password.</summary>
public sealed record Register(string Email, string PasswordHash, DateTime At) : UserCommand
{
    /// <summary>Without the hash: commands end up in logs (dead letters, failures).</summary>
    public override string ToString() => $"Register {{ Email = {Email}, At = {At:O} }}";
}

/// <summary>A login whose password did not match, counted against <see cref="Policy"/>.</summary>
public sealed record RecordFailedLogin(DateTime At, LockoutPolicy Policy) : UserCommand;

/// <summary>A login whose password matched: it clears the failures, unless the user is locked.</summary>
public sealed record RecordLogin(DateTime At) : UserCommand;

/// <summary><see cref="MaxFailures"/> failed logins within <see cref="Window"/> lock the user for <see cref="Lockout"/>.</summary>
public sealed record LockoutPolicy(int MaxFailures, TimeSpan Window, TimeSpan Lockout);
