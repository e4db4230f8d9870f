using System.Text.Json;
using Cohort.Cluster.Persistence;
using Cohort.Domain.Users;

namespace Cohort.Cluster.Entities.Users;

/// <summary>A validated user command on its way to the user's entity.</summary>
public sealed record UserCommandEnvelope(string Username, string RequestId, RequestHash Hash, UserCommand Command)
    : IShardedMessage, ICohortMessage
{
    public string EntityId => Username;

    /// <summary>A command for a user, its request id's hash taken from what it means.</summary>
    public static UserCommandEnvelope Of(string username, string requestId, UserCommand command)
    {
        var meaning = command switch
        {
            Register c => $"register\n{c.Email}\n{c.PasswordHash}\n{c.At:O}",
            RecordFailedLogin c => $"loginFailed\n{c.At:O}\n{c.Policy.MaxFailures}\n{c.Policy.Window}\n{c.Policy.Lockout}",
            RecordLogin c => $"login\n{c.At:O}",
            _ => throw new ArgumentOutOfRangeException(nameof(command), command, "unknown user command"),
        };
        return new UserCommandEnvelope(username, requestId, RequestHash.Of($"{username}\n{meaning}"), command);
    }
}

/// <summary>Asks a user for its profile and password hash, as its journal holds them.</summary>
public sealed record GetUser(string Username) : IShardedMessage, ICohortMessage
{
    public string EntityId => Username;
}

/// <summary>A user as others may see it: never its password hash. <see cref="Exists"/> is false for a name never registered.</summary>
public sealed record UserProfile(
    string Username, bool Exists, string Email, DateTime RegisteredAt, DateTime? LastLoginAt, int FailedLogins, DateTime? LockedUntil)
    : ICohortMessage
{
    public static UserProfile Of(UserState s) => new(s.Username, s.Exists, s.Email, s.RegisteredAt, s.LastLoginAt, s.FailedLogins, s.LockedUntil);

    /// <summary>The profile's JSON properties; the account id is the username.</summary>
    public void WriteProperties(Utf8JsonWriter w)
    {
        w.WriteString("username", Username);
        w.WriteString("accountId", Username);
        w.WriteString("email", Email);
        w.WriteString("registeredAt", RegisteredAt);
        if (LastLoginAt is { } last)
        {
            w.WriteString("lastLoginAt", last);
        }
        else
        {
            w.WriteNull("lastLoginAt");
        }
    }
}

/// <summary>
/// The answer to <see cref="GetUser"/>: the profile and the stored password hash, which only the login endpoint
/// reads (it checks passwords outside the entity) and nothing writes to a client.
/// </summary>
public sealed record UserCredentials(UserProfile Profile, string PasswordHash) : ICohortMessage
{
    public override string ToString() => $"UserCredentials {{ Profile = {Profile} }}";
}

/// <summary>An accepted user command: the user's event number and its profile right after it.</summary>
public sealed record UserCommandAccepted(string RequestId, long SeqNr, UserProfile Profile) : CommandAccepted(RequestId)
{
    public override void WriteBody(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        Profile.WriteProperties(w);
        w.WriteEndObject();
    }
}
