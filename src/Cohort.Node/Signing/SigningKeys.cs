namespace Cohort.Node.Signing;

/// <summary>The configured secrets, decoded once, looked up by the key id a request names.</summary>
internal sealed class SigningKeys
{
    private readonly Dictionary<string, byte[]> keys = new(StringComparer.Ordinal);

    public SigningKeys(IReadOnlyDictionary<string, string> secrets)
    {
        foreach (var (keyId, secret) in secrets)
        {
            keys[keyId] = Decode(secret) ?? throw new ArgumentException($"signing key '{keyId}' is not base64 of at least {SigningOptions.MinSecretBytes} bytes", nameof(secrets));
        }
    }

    public bool TryGet(string keyId, out byte[] key) => keys.TryGetValue(keyId, out key!);

    /// <returns>The HMAC key, or null when the secret is not base64 or too short.</returns>
    public static byte[]? Decode(string? secret)
    {
        if (string.IsNullOrWhiteSpace(secret))
        {
            return null;
        }
        var buffer = new byte[secret.Length];
        if (!Convert.TryFromBase64String(secret.Trim(), buffer, out var written) || written < SigningOptions.MinSecretBytes)
        {
            return null;
        }
        return buffer[..written];
    }
}
