using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace Cohort.Node.Signing;

/// <summary>
/// The four headers a signed request carries, parsed and checked for shape:
/// <c>X-Cohort-Key-Id</c> (1-64 of <c>[A-Za-z0-9_.-]</c>), <c>X-Cohort-Timestamp</c> (unix seconds, digits only),
/// <c>X-Cohort-Nonce</c> (1-64 of <c>[A-Za-z0-9_-]</c>, never used twice under one key) and
/// <c>X-Cohort-Signature</c> (64 hex characters, see <see cref="RequestSignature"/>).
/// </summary>
internal sealed record SignatureHeaders(string KeyId, string Timestamp, long UnixSeconds, string Nonce, byte[] Signature)
{
    public const string KeyIdHeader = "X-Cohort-Key-Id";
    public const string TimestampHeader = "X-Cohort-Timestamp";
    public const string NonceHeader = "X-Cohort-Nonce";
    public const string SignatureHeader = "X-Cohort-Signature";

    public const int MaxKeyIdLength = 64;
    public const int MaxNonceLength = 64;

    // Twelve digits reach the year 33658 and cannot overflow the window arithmetic.
    private const int MaxTimestampDigits = 12;

    public static bool TryParse(
        IHeaderDictionary headers, [NotNullWhen(true)] out SignatureHeaders? parsed, [NotNullWhen(false)] out string? problem)
    {
        parsed = null;
        if (!TryGetSingle(headers, KeyIdHeader, out var keyId, out problem)
            || !TryGetSingle(headers, TimestampHeader, out var timestamp, out problem)
            || !TryGetSingle(headers, NonceHeader, out var nonce, out problem)
            || !TryGetSingle(headers, SignatureHeader, out var signature, out problem))
        {
            return false;
        }
        if (!IsValidKeyId(keyId))
        {
            problem = $"{KeyIdHeader} must be 1-{MaxKeyIdLength} characters of letters, digits and -_.";
            return false;
        }
        if (timestamp.Length > MaxTimestampDigits
            || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var unixSeconds))
        {
            problem = $"{TimestampHeader} must be the time in unix seconds, digits only";
            return false;
        }
        if (!IsValidNonce(nonce))
        {
            problem = $"{NonceHeader} must be 1-{MaxNonceLength} characters of letters, digits, - and _";
            return false;
        }
        if (signature.Length != RequestSignature.Size * 2 || !signature.All(char.IsAsciiHexDigit))
        {
            problem = $"{SignatureHeader} must be {RequestSignature.Size * 2} hex characters (HMAC-SHA256)";
            return false;
        }
        parsed = new SignatureHeaders(keyId, timestamp, unixSeconds, nonce, Convert.FromHexString(signature));
        problem = null;
        return true;
    }

    public static bool IsValidKeyId(string? keyId) =>
        !string.IsNullOrEmpty(keyId) && keyId.Length <= MaxKeyIdLength
        && keyId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    public static bool IsValidNonce(string? nonce) =>
        !string.IsNullOrEmpty(nonce) && nonce.Length <= MaxNonceLength
        && nonce.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    // A header sent twice is refused rather than one copy picked: the caller and a proxy could pick differently.
    private static bool TryGetSingle(
        IHeaderDictionary headers, string name, [NotNullWhen(true)] out string? value, [NotNullWhen(false)] out string? problem)
    {
        var values = headers.TryGetValue(name, out var found) ? found : StringValues.Empty;
        if (values.Count != 1 || string.IsNullOrEmpty(values[0]))
        {
            value = null;
            problem = values.Count > 1 ? $"{name} must be sent once" : $"{name} is missing";
            return false;
        }
        value = values[0]!;
        problem = null;
        return true;
    }
}
