using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Cohort.Cluster.Auth;
using Microsoft.Extensions.Options;

namespace Cohort.Node.Auth;

/// <summary>
/// Salted, slow password hashes, stored as <c>pbkdf2-sha256$&lt;iterations&gt;$&lt;salt b64&gt;$&lt;hash b64&gt;</c>:
/// PBKDF2 with HMAC-SHA256, a random 16-byte salt and a 32-byte hash. Each stored hash names its own iteration
/// count, so raising <see cref="AuthOptions.PasswordIterations"/> leaves older hashes valid. Runs in the HTTP
/// endpoints, never in an actor: it is CPU on purpose, and would hold up every other message of the entity.
/// </summary>
internal sealed class PasswordHasher
{
    private const string Scheme = "pbkdf2-sha256";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    private readonly int iterations;
    private readonly Lazy<string> decoy;

    public PasswordHasher(IOptions<AuthOptions> options)
    {
        iterations = options.Value.PasswordIterations;
        decoy = new Lazy<string>(() => Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(SaltBytes))));
    }

    public string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Create(CultureInfo.InvariantCulture, $"{Scheme}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    /// <summary>Constant time in the hash compared; false for a stored form it cannot read.</summary>
    public bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
        {
            return false;
        }
        byte[] salt, expected;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            expected = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, count, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Spends the time of a real check for a username that does not exist, so timing does not tell which names do.</summary>
    public void VerifyNobody(string password) => Verify(password, decoy.Value);
}
