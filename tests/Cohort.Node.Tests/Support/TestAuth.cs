using System.Net.Http.Headers;
using System.Security.Cryptography;
using Cohort.Cluster.Auth;

namespace Cohort.Node.Tests.Support;

/// <summary>
/// The signing key every node of these tests gets (one per test run), and tokens under it, minted as
/// <c>cohort token</c> mints them.
/// </summary>
internal static class TestAuth
{
    public static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    public static string SigningKey => Convert.ToBase64String(Key);

    /// <summary>Good for the whole run: what the harness's clients send unless a test says otherwise.</summary>
    public static readonly string AdminToken = Issue(AccessTokens.AdminSubject, admin: true, TimeSpan.FromDays(1));

    public static AuthenticationHeaderValue AdminHeader => new("Bearer", AdminToken);

    public static string TokenFor(string accountId) => Issue(accountId, admin: false, TimeSpan.FromHours(1));

    public static string Issue(string subject, bool admin, TimeSpan lifetime, byte[]? key = null) =>
        AccessTokens.Issue(key ?? Key, new AuthOptions(), subject, admin, DateTime.UtcNow, lifetime);

    /// <summary>Node settings: the key through the environment (it stays out of the logged command line), cheap hashes.</summary>
    public static readonly IReadOnlyDictionary<string, string> Environment = new Dictionary<string, string>
    {
        ["Cohort__Auth__SigningKey"] = SigningKey,
        ["Cohort__Auth__PasswordIterations"] = "1000",
    };
}
