using Cohort.Cluster.Auth;
using Microsoft.Extensions.Options;

namespace Cohort.Node.Auth;

/// <summary>Refuses an auth configuration that could not check a token or would lock nobody, so the node fails at start.</summary>
internal sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    /// <summary>Below this a stored hash costs an attacker next to nothing; tests go this low to stay fast.</summary>
    public const int MinPasswordIterations = 1_000;

    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        if (options.Enabled && AccessTokens.DecodeKey(options.SigningKey) is null)
        {
            // The key itself stays out of the message: it ends up in logs.
            failures.Add(
                $"{AuthOptions.Section}:SigningKey must be base64 of at least {AuthOptions.MinKeyBytes} random bytes (openssl rand -base64 32) " +
                $"while {AuthOptions.Section}:Enabled is true; ./run.sh makes one in .cohort/auth-signing-key");
        }
        if (string.IsNullOrWhiteSpace(options.Issuer) || string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add($"{AuthOptions.Section}:Issuer and Audience must not be empty");
        }
        if (options.TokenLifetime <= TimeSpan.Zero || options.ClockSkew < TimeSpan.Zero)
        {
            failures.Add($"{AuthOptions.Section}:TokenLifetime must be positive and ClockSkew not negative");
        }
        if (options.PasswordIterations < MinPasswordIterations)
        {
            failures.Add($"{AuthOptions.Section}:PasswordIterations must be at least {MinPasswordIterations}, not {options.PasswordIterations}");
        }
        if (options.MaxFailedLogins < 1 || options.FailedLoginWindow <= TimeSpan.Zero || options.Lockout <= TimeSpan.Zero)
        {
            failures.Add($"{AuthOptions.Section}:MaxFailedLogins, FailedLoginWindow and Lockout must be positive");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
