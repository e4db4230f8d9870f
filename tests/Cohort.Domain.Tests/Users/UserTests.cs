using Cohort.Domain.Users;

namespace Cohort.Domain.Tests.Users;

/// <summary>Every command of a user, accepted and refused, and every event applied or refused as malformed.</summary>
public class UserTests
{
    private static readonly DateTime T0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly LockoutPolicy Policy = new(3, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(10));
    private static readonly UserState None = UserState.Empty("alice");

    private static UserState Apply(UserState state, params UserCommand[] commands)
    {
        foreach (var command in commands)
        {
            var decision = User.Decide(state, command);
            Assert.False(decision.IsRejected, decision.Rejection?.Message);
            state = decision.Events.Aggregate(state, User.Evolve);
        }
        return state;
    }

    private static UserState Alice() => Apply(None, new Register("alice@example.com", "pbkdf2-sha256$1$c2FsdA==$aGFzaA==", T0));

    private static UserState FailedAt(UserState state, params int[] minutes) =>
        Apply(state, minutes.Select(m => (UserCommand)new RecordFailedLogin(T0.AddMinutes(m), Policy)).ToArray());

    private static void Rejected(UserState state, UserCommand command, string code)
    {
        var decision = User.Decide(state, command);
        Assert.Equal(code, decision.Rejection?.Code);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void Register_creates_the_user_with_its_hash()
    {
        var decision = User.Decide(None, new Register("alice@example.com", "h", T0));
        Assert.Equal([new UserRegistered("alice@example.com", "h", T0)], decision.Events);
        var alice = Alice();
        Assert.True(alice.Exists);
        Assert.Equal(("alice@example.com", T0, 0, (DateTime?)null), (alice.Email, alice.RegisteredAt, alice.FailedLogins, alice.LastLoginAt));
    }

    [Fact]
    public void A_second_registration_of_the_name_is_refused_as_taken() =>
        Rejected(Alice(), new Register("other@example.com", "h2", T0.AddMinutes(1)), RejectionCodes.UsernameTaken);

    [Theory]
    [InlineData("no-at-sign", "h")]
    [InlineData("two@@example.com", "h")]
    [InlineData("@example.com", "h")]
    [InlineData("alice@", "h")]
    [InlineData("al ice@example.com", "h")]
    [InlineData("alice@example.com", "")]
    public void Register_refuses_a_bad_email_or_a_missing_hash(string email, string hash) =>
        Rejected(None, new Register(email, hash, T0), RejectionCodes.ValidationFailed);

    [Fact]
    public void Logins_of_a_user_never_registered_are_not_found()
    {
        Rejected(None, new RecordFailedLogin(T0, Policy), RejectionCodes.NotFound);
        Rejected(None, new RecordLogin(T0), RejectionCodes.NotFound);
    }

    [Fact]
    public void Failures_count_within_the_window_and_the_last_allowed_one_locks()
    {
        var twice = FailedAt(Alice(), 0, 5);
        Assert.Equal((2, (DateTime?)T0, (DateTime?)null), (twice.FailedLogins, twice.FailureWindowStart, twice.LockedUntil));

        var decision = User.Decide(twice, new RecordFailedLogin(T0.AddMinutes(6), Policy));

        Assert.Equal([new LoginFailed(T0.AddMinutes(6), 3, T0, T0.AddMinutes(16))], decision.Events);
        var locked = decision.Events.Aggregate(twice, User.Evolve);
        Assert.True(locked.IsLockedAt(T0.AddMinutes(15)));
        Assert.False(locked.IsLockedAt(T0.AddMinutes(16)));
    }

    [Fact]
    public void A_failure_after_the_window_starts_a_new_count()
    {
        var state = FailedAt(Alice(), 0, 5, 15);
        Assert.Equal((1, (DateTime?)T0.AddMinutes(15), (DateTime?)null), (state.FailedLogins, state.FailureWindowStart, state.LockedUntil));
    }

    [Fact]
    public void While_locked_no_login_counts_good_or_bad()
    {
        var locked = FailedAt(Alice(), 0, 1, 2);
        Rejected(locked, new RecordFailedLogin(T0.AddMinutes(3), Policy), RejectionCodes.TooManyAttempts);
        Rejected(locked, new RecordLogin(T0.AddMinutes(3)), RejectionCodes.TooManyAttempts);
    }

    [Fact]
    public void After_the_lock_a_failure_counts_afresh_and_a_login_succeeds()
    {
        var locked = FailedAt(Alice(), 0, 1, 2);
        var failedAgain = FailedAt(locked, 13);
        Assert.Equal((1, (DateTime?)null), (failedAgain.FailedLogins, failedAgain.LockedUntil));

        var loggedIn = Apply(locked, new RecordLogin(T0.AddMinutes(13)));
        Assert.Equal((0, (DateTime?)null, (DateTime?)null, (DateTime?)T0.AddMinutes(13)),
            (loggedIn.FailedLogins, loggedIn.FailureWindowStart, loggedIn.LockedUntil, loggedIn.LastLoginAt));
    }

    [Fact]
    public void A_login_clears_the_failures()
    {
        var decision = User.Decide(FailedAt(Alice(), 0, 1), new RecordLogin(T0.AddMinutes(2)));
        Assert.Equal([new LoginSucceeded(T0.AddMinutes(2))], decision.Events);
        var state = decision.Events.Aggregate(FailedAt(Alice(), 0, 1), User.Evolve);
        Assert.Equal((0, (DateTime?)null), (state.FailedLogins, state.FailureWindowStart));
    }

    [Fact]
    public void Evolve_refuses_malformed_events()
    {
        Assert.Throws<InvariantViolationException>(() => User.Evolve(None, new LoginSucceeded(T0)));
        Assert.Throws<InvariantViolationException>(() => User.Evolve(Alice(), new UserRegistered("a@b.c", "h", T0)));
        Assert.Throws<InvariantViolationException>(() => User.Evolve(None, new UserRegistered("a@b.c", "", T0)));
        Assert.Throws<InvariantViolationException>(() => User.Evolve(Alice(), new LoginFailed(T0, 0, T0, null)));
        Assert.Throws<InvariantViolationException>(() => User.Evolve(Alice(), new LoginFailed(T0, 1, T0.AddMinutes(1), null)));
    }

    [Theory]
    [InlineData("alice", true)]
    [InlineData("a.b-c_d:e@f", true)]
    [InlineData("Alice", false)]
    [InlineData("", false)]
    [InlineData("al ice", false)]
    [InlineData("al/ice", false)]
    public void Usernames_are_identifiers_in_lowercase(string username, bool valid) =>
        Assert.Equal(valid, UserRules.IsValidUsername(username));

    [Theory]
    [InlineData("1234567", false)]
    [InlineData("12345678", true)]
    public void Passwords_have_a_minimum_length(string password, bool valid) =>
        Assert.Equal(valid, UserRules.IsValidPassword(password));
}
