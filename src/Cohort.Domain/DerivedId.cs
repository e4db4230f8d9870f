using System.Security.Cryptography;
using System.Text;

namespace Cohort.Domain;

/// <summary>
/// Ids made from other ids (a sale's order from its SKU and account, a checkout's orders from its account, request
/// and SKU): a prefix and 32 hex digits of the SHA-256 of the parts. Joining the parts with a separator would not do:
/// every character is allowed in some id, so "a:b" + "c" and "a" + "b:c" would make the same one.
/// </summary>
public static class DerivedId
{
    public static string Of(string prefix, params string[] parts)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', parts)));
        return $"{prefix}-{Convert.ToHexStringLower(hash.AsSpan(0, 16))}";
    }
}
