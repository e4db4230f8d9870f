using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Akka.Hosting;
using Cohort.Cluster.Auth;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Entities.Users;
using Cohort.Domain;
using Cohort.Domain.Users;
using Cohort.Node.Auth;
using Microsoft.Extensions.Options;

namespace Cohort.Node.Http.Users;

/// <summary>
/// <c>/api/v1/users</c>: register (a user and, implicitly, its account of the same id), log in for a token, read
/// one's profile. Passwords are hashed and checked here, outside the user entity; the entity decides whether the
/// name is free and counts failed logins. Nothing here logs a password, a hash or a request body.
/// </summary>
internal static class UserEndpoints
{
    private const string LogCategory = "Cohort.Node.Http.Users";

    public static void MapUserEndpoints(this WebApplication app)
    {
        var users = app.MapGroup("/api/v1/users");
        users.MapPost("/register", RegisterAsync);
        users.MapPost("/login", LoginAsync);
        users.MapGet("/me", MeAsync).RequireCaller();
    }

    private static async Task<IResult> RegisterAsync(
        HttpRequest request, IRequiredActor<UserRegion> users, IRequiredActor<AccountRegion> accounts, EntityAsk ask,
        PasswordHasher hasher, TimeProvider time, ILoggerFactory logs, CancellationToken ct)
    {
        var (form, error) = await ReadAsync(request, withEmail: true, ct);
        if (form is not { } f)
        {
            return Problems.Validation(error!);
        }
        // Accounts exist implicitly: a name whose account already holds funds is not free for a user to claim.
        var account = await ask.AskAsync(accounts.ActorRef, AccountRegion.TypeName, new GetAccount(f.Username), ct);
        if (account is not AccountBalances balances)
        {
            return Problems.Of(Problems.Timeout, $"account '{f.Username}' did not answer in time; retry");
        }
        if (balances.Balances.Count > 0)
        {
            return Problems.Of(RejectionCodes.UsernameTaken, $"username '{f.Username}' is taken: its account is in use");
        }
        var register = new Register(f.Email!, hasher.Hash(f.Password), time.GetUtcNow().UtcDateTime);
        var reply = await ask.AskAsync(users.ActorRef, UserRegion.TypeName, UserCommandEnvelope.Of(f.Username, NewRequestId(), register), ct);
        if (reply is not UserCommandAccepted accepted)
        {
            return EntityAsk.ToResult(reply, $"registration of '{f.Username}'");
        }
        logs.CreateLogger(LogCategory).LogInformation("User {Username} registered", f.Username);
        return Results.Content(EntityAsk.Body(accepted), "application/json", statusCode: StatusCodes.Status201Created);
    }

    /// <summary>
    /// 200 with a token, 401 for a wrong password or an unknown name (the same answer, after the same work), 429 with
    /// Retry-After while the name is locked. Concurrent guesses may each be checked before the lock that the first of
    /// them sets, at most one slow hash each; none is counted or answered with a token once it is set.
    /// </summary>
    private static async Task<IResult> LoginAsync(
        HttpContext context, IRequiredActor<UserRegion> users, EntityAsk ask, PasswordHasher hasher, TimeProvider time,
        IOptions<AuthOptions> options, ILoggerFactory logs, CancellationToken ct)
    {
        var (form, error) = await ReadAsync(context.Request, withEmail: false, ct);
        if (form is not { } f)
        {
            return Problems.Validation(error!);
        }
        var auth = options.Value;
        var credentials = await ask.AskAsync(users.ActorRef, UserRegion.TypeName, new GetUser(f.Username), ct);
        if (credentials is not UserCredentials user)
        {
            return Problems.Of(Problems.Timeout, $"user '{f.Username}' did not answer in time; retry");
        }
        if (!user.Profile.Exists)
        {
            hasher.VerifyNobody(f.Password);
            return WrongPassword();
        }
        var now = time.GetUtcNow().UtcDateTime;
        if (user.Profile.LockedUntil is { } lockedUntil && now < lockedUntil)
        {
            return Locked(context, lockedUntil, now);
        }
        UserCommand outcome = hasher.Verify(f.Password, user.PasswordHash)
            ? new RecordLogin(now)
            : new RecordFailedLogin(now, new LockoutPolicy(auth.MaxFailedLogins, auth.FailedLoginWindow, auth.Lockout));
        var reply = await ask.AskAsync(users.ActorRef, UserRegion.TypeName, UserCommandEnvelope.Of(f.Username, NewRequestId(), outcome), ct);
        switch (reply)
        {
            case UserCommandAccepted when outcome is RecordLogin:
                return Token(auth, f.Username, now);
            case UserCommandAccepted { Profile.LockedUntil: { } until }:
                logs.CreateLogger(LogCategory).LogWarning("User {Username} locked until {LockedUntil:O} after {Failures} failed logins", f.Username, until, auth.MaxFailedLogins);
                return WrongPassword();
            case UserCommandAccepted:
                return WrongPassword();
            case CommandRejected { Code: RejectionCodes.TooManyAttempts }:
                var locked = await ask.AskAsync(users.ActorRef, UserRegion.TypeName, new GetUser(f.Username), ct);
                return Locked(context, (locked as UserCredentials)?.Profile.LockedUntil ?? now + auth.Lockout, now);
            default:
                return EntityAsk.ToResult(reply, $"login of '{f.Username}'");
        }
    }

    private static async Task<IResult> MeAsync(HttpContext context, IRequiredActor<UserRegion> users, EntityAsk ask, CancellationToken ct)
    {
        if (AccountAccess.AccountOf(context) is not { } username || !UserRules.IsValidUsername(username))
        {
            return Problems.Of(Problems.NotFound, "this token acts as no user");
        }
        var reply = await ask.AskAsync(users.ActorRef, UserRegion.TypeName, new GetUser(username), ct);
        return reply switch
        {
            UserCredentials { Profile.Exists: false } => Problems.Of(Problems.NotFound, $"user '{username}' does not exist"),
            UserCredentials user => Profile(user.Profile),
            _ => Problems.Of(Problems.Timeout, $"user '{username}' did not answer in time; retry"),
        };
    }

    private static IResult Profile(UserProfile profile)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            profile.WriteProperties(writer);
            writer.WriteEndObject();
        }
        return Results.Bytes(buffer.WrittenSpan.ToArray(), "application/json");
    }

    private static IResult Token(AuthOptions auth, string username, DateTime now)
    {
        var key = AccessTokens.DecodeKey(auth.SigningKey)
            ?? throw new InvalidOperationException($"{AuthOptions.Section}:SigningKey is not set: a login cannot be answered with a token while auth is off");
        return Results.Json(new
        {
            accessToken = AccessTokens.Issue(key, auth, username, admin: false, now, auth.TokenLifetime),
            tokenType = "Bearer",
            expiresIn = (long)auth.TokenLifetime.TotalSeconds,
            accountId = username,
        });
    }

    private static IResult WrongPassword() => Problems.Of(Problems.InvalidCredentials, "wrong username or password");

    private static IResult Locked(HttpContext context, DateTime lockedUntil, DateTime now)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling((lockedUntil - now).TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Problems.Of(RejectionCodes.TooManyAttempts, $"too many failed logins; try again in {seconds} s");
    }

    /// <summary>Every attempt is its own command: a retried request is a new attempt, as a retried login is.</summary>
    private static string NewRequestId() => $"u-{Guid.NewGuid():N}";

    private readonly record struct Form(string Username, string Password, string? Email);

    private static async Task<(Form? Form, string? Error)> ReadAsync(HttpRequest request, bool withEmail, CancellationToken ct)
    {
        var (doc, error) = await JsonBody.ReadAsync(request, ct);
        if (doc is null)
        {
            return (null, error);
        }
        using (doc)
        {
            var body = doc.RootElement;
            var username = JsonBody.String(body, "username");
            var password = JsonBody.String(body, "password");
            var email = JsonBody.String(body, "email");
            if (username is null || !UserRules.IsValidUsername(UserRules.Normalize(username)))
            {
                return (null, UserRules.UsernameRule);
            }
            if (!UserRules.IsValidPassword(password))
            {
                return (null, UserRules.PasswordRule);
            }
            if (withEmail && !UserRules.IsValidEmail(email))
            {
                return (null, UserRules.EmailRule);
            }
            return (new Form(UserRules.Normalize(username), password!, email), null);
        }
    }
}
