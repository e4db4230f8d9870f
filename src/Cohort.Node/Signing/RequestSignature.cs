using System.Security.Cryptography;
using System.Text;

namespace Cohort.Node.Signing;

/// <summary>
/// The signature of a request: HMAC-SHA256, under the caller's key, of the UTF-8 text
/// <c>METHOD\nPATH_AND_QUERY\nTIMESTAMP\nNONCE\n</c> followed by the raw body bytes (nothing for an empty body).
/// METHOD is as sent (upper case); PATH_AND_QUERY is the request target exactly as it appears on the request line,
/// percent-encoding included (what <see cref="Uri.PathAndQuery"/> gives a client); TIMESTAMP and NONCE are the
/// header values as sent. On the wire it is 64 lowercase hex characters.
/// </summary>
internal static class RequestSignature
{
    public const int Size = 32;

    public static byte[] Compute(
        ReadOnlySpan<byte> key, string method, string pathAndQuery, string timestamp, string nonce, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(Encoding.UTF8.GetBytes($"{method}\n{pathAndQuery}\n{timestamp}\n{nonce}\n"));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }

    public static string ComputeHex(
        ReadOnlySpan<byte> key, string method, string pathAndQuery, string timestamp, string nonce, ReadOnlySpan<byte> body) =>
        Convert.ToHexStringLower(Compute(key, method, pathAndQuery, timestamp, nonce, body));

    /// <summary>Constant time, so the time to refuse a guess does not tell how many of its bytes were right.</summary>
    public static bool Matches(
        ReadOnlySpan<byte> key, string method, string pathAndQuery, string timestamp, string nonce, ReadOnlySpan<byte> body,
        ReadOnlySpan<byte> signature) =>
        CryptographicOperations.FixedTimeEquals(Compute(key, method, pathAndQuery, timestamp, nonce, body), signature);
}
