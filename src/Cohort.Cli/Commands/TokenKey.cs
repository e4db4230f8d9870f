using Cohort.Cluster.Auth;

namespace Cohort.Cli.Commands;

/// <summary>
/// The key and names a node signs tokens with, as the CLI finds them: <c>COHORT__AUTH__SIGNINGKEY</c> (and
/// <c>COHORT__AUTH__ISSUER</c>, <c>COHORT__AUTH__AUDIENCE</c>) from the environment, as a node reads them, or else
/// the development key <c>./run.sh</c> made in <c>.cohort/auth-signing-key</c> of this checkout.
/// </summary>
internal sealed record TokenKey(byte[] Key, AuthOptions Options)
{
    public const string KeyVariable = "COHORT__AUTH__SIGNINGKEY";

    public static string DevKeyFile => Path.Combine(RepositoryRoot() ?? Directory.GetCurrentDirectory(), ".cohort", "auth-signing-key");

    /// <returns>The key, or null with what is missing.</returns>
    public static TokenKey? Find(out string problem)
    {
        var options = new AuthOptions();
        options.Issuer = Environment.GetEnvironmentVariable("COHORT__AUTH__ISSUER") is { Length: > 0 } issuer ? issuer : options.Issuer;
        options.Audience = Environment.GetEnvironmentVariable("COHORT__AUTH__AUDIENCE") is { Length: > 0 } audience ? audience : options.Audience;
        var (text, source) = Environment.GetEnvironmentVariable(KeyVariable) is { Length: > 0 } fromEnvironment
            ? (fromEnvironment, KeyVariable)
            : (File.Exists(DevKeyFile) ? File.ReadAllText(DevKeyFile) : null, DevKeyFile);
        if (text is null)
        {
            problem = $"no signing key: set {KeyVariable} to the nodes' Cohort:Auth:SigningKey, or start ./run.sh once to make {DevKeyFile}";
            return null;
        }
        if (AccessTokens.DecodeKey(text) is not { } key)
        {
            problem = $"the signing key in {source} is not base64 of at least {AuthOptions.MinKeyBytes} bytes";
            return null;
        }
        problem = "";
        return new TokenKey(key, options);
    }

    public string Issue(string subject, bool admin, TimeSpan lifetime) =>
        AccessTokens.Issue(Key, Options, subject, admin, DateTime.UtcNow, lifetime);

    private static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cluster.sln")))
            {
                return dir.FullName;
            }
        }
        return null;
    }
}
