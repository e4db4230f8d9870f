using System.Text.Json;
using Cohort.Cluster.Persistence;
using Cohort.Domain.Users;

namespace Cohort.Cluster.Entities.Users;

/// <summary>
/// The user's JSON forms. Journal records are stored under <c>user.&lt;event&gt;.v1</c>:
/// <c>{"requestId","hash","at", the event's fields}</c>. The password hash is the stored form
/// (<c>pbkdf2-sha256$iterations$salt$hash</c>), never a password.
/// </summary>
public static class UserFormats
{
    private static readonly string[] EventNames = ["registered", "loginFailed", "loginSucceeded"];

    public static string EventName(UserEvent e) => e switch
    {
        UserRegistered => "registered",
        LoginFailed => "loginFailed",
        LoginSucceeded => "loginSucceeded",
        _ => throw new ArgumentOutOfRangeException(nameof(e), e, "unknown user event"),
    };

    public static string RecordManifest(string eventName) => $"user.{eventName}.v1";

    public static void Register(MessageFormats formats) => formats
        .Add<UserRecord>(r => RecordManifest(EventName(r.Event)), WriteRecord,
            EventNames.Select(name => (RecordManifest(name), (Func<JsonElement, UserRecord>)(e => ReadRecord(name, e)))).ToArray())
        .Add<UserSnapshot>("user.snapshot.v1", (w, s) =>
        {
            w.WriteStartObject();
            WriteState(w, s.State);
            EntityFormats.WriteRequests(w, formats, s.Requests);
            w.WriteEndObject();
        }, e => new UserSnapshot(ReadState(e), EntityFormats.ReadRequests(e, formats)))
        .Add<UserCommandAccepted>("user.accepted.v1", (w, a) =>
        {
            w.WriteStartObject();
            w.WriteString("requestId", a.RequestId);
            w.WriteNumber("seqNr", a.SeqNr);
            WriteProfile(w, a.Profile);
            w.WriteEndObject();
        }, e => new UserCommandAccepted(e.String("requestId"), e.Long("seqNr"), ReadProfile(e)))
        .Add<UserCommandEnvelope>("user.command.v1", WriteCommand, ReadCommand)
        .AddWireRecord<GetUser>("user.get.v1")
        .AddWireRecord<UserProfile>("user.profile.v1")
        .AddWireRecord<UserCredentials>("user.credentials.v1");

    private static void WriteRecord(Utf8JsonWriter w, UserRecord r)
    {
        w.WriteStartObject();
        EntityFormats.WriteStamp(w, r.Stamp);
        switch (r.Event)
        {
            case UserRegistered e:
                w.WriteString("email", e.Email);
                w.WriteString("passwordHash", e.PasswordHash);
                w.WriteString("registeredAt", e.At);
                break;
            case LoginFailed e:
                w.WriteString("loginAt", e.At);
                w.WriteNumber("failedLogins", e.FailedLogins);
                w.WriteString("windowStart", e.WindowStart);
                WriteOptionalTime(w, "lockedUntil", e.LockedUntil);
                break;
            case LoginSucceeded e:
                w.WriteString("loginAt", e.At);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(r), r.Event, "unknown user event");
        }
        w.WriteEndObject();
    }

    private static UserRecord ReadRecord(string eventName, JsonElement e)
    {
        UserEvent @event = eventName switch
        {
            "registered" => new UserRegistered(e.String("email"), e.String("passwordHash"), e.Time("registeredAt")),
            "loginFailed" => new LoginFailed(e.Time("loginAt"), e.GetProperty("failedLogins").GetInt32(), e.Time("windowStart"), OptionalTime(e, "lockedUntil")),
            "loginSucceeded" => new LoginSucceeded(e.Time("loginAt")),
            _ => throw new InvalidDataException($"unknown user event '{eventName}'"),
        };
        return new UserRecord(EntityFormats.ReadStamp(e), @event);
    }

    private static void WriteState(Utf8JsonWriter w, UserState s)
    {
        w.WriteString("username", s.Username);
        w.WriteBoolean("exists", s.Exists);
        w.WriteString("email", s.Email);
        w.WriteString("passwordHash", s.PasswordHash);
        w.WriteString("registeredAt", s.RegisteredAt);
        WriteOptionalTime(w, "lastLoginAt", s.LastLoginAt);
        w.WriteNumber("failedLogins", s.FailedLogins);
        WriteOptionalTime(w, "failureWindowStart", s.FailureWindowStart);
        WriteOptionalTime(w, "lockedUntil", s.LockedUntil);
    }

    private static UserState ReadState(JsonElement e) =>
        new(e.String("username"), e.GetProperty("exists").GetBoolean(), e.String("email"), e.String("passwordHash"),
            e.Time("registeredAt"), OptionalTime(e, "lastLoginAt"), e.GetProperty("failedLogins").GetInt32(),
            OptionalTime(e, "failureWindowStart"), OptionalTime(e, "lockedUntil"));

    private static void WriteProfile(Utf8JsonWriter w, UserProfile p)
    {
        w.WriteString("username", p.Username);
        w.WriteBoolean("exists", p.Exists);
        w.WriteString("email", p.Email);
        w.WriteString("registeredAt", p.RegisteredAt);
        WriteOptionalTime(w, "lastLoginAt", p.LastLoginAt);
        w.WriteNumber("failedLogins", p.FailedLogins);
        WriteOptionalTime(w, "lockedUntil", p.LockedUntil);
    }

    private static UserProfile ReadProfile(JsonElement e) =>
        new(e.String("username"), e.GetProperty("exists").GetBoolean(), e.String("email"), e.Time("registeredAt"),
            OptionalTime(e, "lastLoginAt"), e.GetProperty("failedLogins").GetInt32(), OptionalTime(e, "lockedUntil"));

    private static void WriteCommand(Utf8JsonWriter w, UserCommandEnvelope c)
    {
        w.WriteStartObject();
        w.WriteString("username", c.Username);
        w.WriteString("requestId", c.RequestId);
        w.WriteString("hash", c.Hash.ToString());
        switch (c.Command)
        {
            case Register r:
                w.WriteString("type", "register");
                w.WriteString("email", r.Email);
                w.WriteString("passwordHash", r.PasswordHash);
                w.WriteString("at", r.At);
                break;
            case RecordFailedLogin f:
                w.WriteString("type", "loginFailed");
                w.WriteString("at", f.At);
                w.WriteNumber("maxFailures", f.Policy.MaxFailures);
                w.WriteString("window", f.Policy.Window.ToString("c"));
                w.WriteString("lockout", f.Policy.Lockout.ToString("c"));
                break;
            case RecordLogin l:
                w.WriteString("type", "login");
                w.WriteString("at", l.At);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(c), c.Command, "unknown user command");
        }
        w.WriteEndObject();
    }

    /// <summary>Read back as sent: the hash was taken when the command was made, and travels with it.</summary>
    private static UserCommandEnvelope ReadCommand(JsonElement e)
    {
        var type = e.String("type");
        UserCommand command = type switch
        {
            "register" => new Register(e.String("email"), e.String("passwordHash"), e.Time("at")),
            "loginFailed" => new RecordFailedLogin(e.Time("at"), new LockoutPolicy(e.GetProperty("maxFailures").GetInt32(),
                TimeSpan.ParseExact(e.String("window"), "c", null), TimeSpan.ParseExact(e.String("lockout"), "c", null))),
            "login" => new RecordLogin(e.Time("at")),
            _ => throw new InvalidDataException($"'{type}' is not a user command"),
        };
        return new UserCommandEnvelope(e.String("username"), e.String("requestId"), RequestHash.Parse(e.String("hash")), command);
    }

    private static void WriteOptionalTime(Utf8JsonWriter w, string name, DateTime? value)
    {
        if (value is { } given)
        {
            w.WriteString(name, given);
        }
    }

    private static DateTime? OptionalTime(JsonElement e, string name) => e.TryGetProperty(name, out _) ? e.Time(name) : null;
}
