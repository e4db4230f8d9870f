namespace Cohort.Domain.Users;

/// <summary>
/// The user entity's behaviour. Registration claims the username once; logins are checked outside (the password
/// hash is slow on purpose) and only their outcome comes here, to count failures: enough of them within the
/// window lock the user, and while it is locked no login counts, good or bad.
/// </summary>
public static class User
{
    public static Decision<UserEvent> Decide(UserState state, UserCommand command) => command switch
    {
        Register when state.Exists => Decision<UserEvent>.Reject(RejectionCodes.UsernameTaken, $"username '{state.Username}' is taken"),
        Register c => Create(c),
        _ when !state.Exists => Decision<UserEvent>.Reject(RejectionCodes.NotFound, $"user '{state.Username}' does not exist"),
        RecordFailedLogin c when state.IsLockedAt(c.At) => Locked(state),
        RecordFailedLogin c => Fail(state, c),
        RecordLogin c when state.IsLockedAt(c.At) => Locked(state),
        RecordLogin c => Decision<UserEvent>.Accept(new LoginSucceeded(c.At)),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, "unknown user command"),
    };

    public static UserState Evolve(UserState state, UserEvent @event)
    {
        if (!state.Exists && @event is not UserRegistered)
        {
            throw new InvariantViolationException($"user {state.Username}: {@event} before the user registered");
        }
        return @event switch
        {
            UserRegistered when state.Exists => throw Broken(state, @event, "the user exists already"),
            UserRegistered e when e.PasswordHash.Length == 0 => throw Broken(state, @event, "no password hash"),
            UserRegistered e => state with { Exists = true, Email = e.Email, PasswordHash = e.PasswordHash, RegisteredAt = e.At },
            LoginFailed e when e.FailedLogins <= 0 || e.WindowStart > e.At => throw Broken(state, @event, "a failure must count and fall in its window"),
            LoginFailed e => state with { FailedLogins = e.FailedLogins, FailureWindowStart = e.WindowStart, LockedUntil = e.LockedUntil },
            LoginSucceeded e => state with { LastLoginAt = e.At, FailedLogins = 0, FailureWindowStart = null, LockedUntil = null },
            _ => throw new ArgumentOutOfRangeException(nameof(@event), @event, "unknown user event"),
        };
    }

    private static Decision<UserEvent> Create(Register c)
    {
        if (!UserRules.IsValidEmail(c.Email))
        {
            return Decision<UserEvent>.Reject(RejectionCodes.ValidationFailed, UserRules.EmailRule);
        }
        if (string.IsNullOrEmpty(c.PasswordHash))
        {
            return Decision<UserEvent>.Reject(RejectionCodes.ValidationFailed, "a password hash is required");
        }
        return Decision<UserEvent>.Accept(new UserRegistered(c.Email, c.PasswordHash, c.At));
    }

    /// <summary>
    /// Counts in fixed windows: a failure after the window (or after a lock) ended starts a new one. The failure that
    /// reaches the limit sets the lock.
    /// </summary>
    private static Decision<UserEvent> Fail(UserState state, RecordFailedLogin c)
    {
        var fresh = state.FailureWindowStart is not { } start || c.At - start >= c.Policy.Window || state.LockedUntil is not null;
        var windowStart = fresh ? c.At : state.FailureWindowStart!.Value;
        var failures = fresh ? 1 : state.FailedLogins + 1;
        DateTime? lockedUntil = failures >= c.Policy.MaxFailures ? c.At + c.Policy.Lockout : null;
        return Decision<UserEvent>.Accept(new LoginFailed(c.At, failures, windowStart, lockedUntil));
    }

    private static Decision<UserEvent> Locked(UserState state) =>
        Decision<UserEvent>.Reject(RejectionCodes.TooManyAttempts,
            $"user '{state.Username}' is locked after too many failed logins until {state.LockedUntil:O}");

    private static InvariantViolationException Broken(UserState state, UserEvent @event, string why) =>
        new($"user {state.Username}: malformed event {@event}: {why}");
}
