using Microsoft.Extensions.Options;

namespace Cohort.Node.Signing;

/// <summary>Refuses a signing configuration that could never accept a request, so the node fails at start instead.</summary>
internal sealed class SigningOptionsValidator : IValidateOptions<SigningOptions>
{
    public ValidateOptionsResult Validate(string? name, SigningOptions options)
    {
        var failures = new List<string>();
        if (options.Window <= TimeSpan.Zero)
        {
            failures.Add($"{SigningOptions.Section}:Window must be positive, not {options.Window}");
        }
        if (options.Enabled)
        {
            if (options.Keys.Count == 0)
            {
                failures.Add($"{SigningOptions.Section}:Enabled is true but {SigningOptions.Section}:Keys is empty: no caller could sign a request");
            }
            foreach (var (keyId, secret) in options.Keys)
            {
                if (!SignatureHeaders.IsValidKeyId(keyId))
                {
                    failures.Add($"{SigningOptions.Section}:Keys: key id '{keyId}' must be 1-{SignatureHeaders.MaxKeyIdLength} characters of letters, digits and -_.");
                }
                // The secret itself stays out of the message: it ends up in logs.
                if (SigningKeys.Decode(secret) is null)
                {
                    failures.Add($"{SigningOptions.Section}:Keys:{keyId} is not base64 of at least {SigningOptions.MinSecretBytes} bytes");
                }
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
