using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Cohort.Cluster.Persistence;

/// <summary>
/// The first 128 bits of the SHA-256 of a command's meaning (not its bytes): tells a replay of a request id from a
/// different command sent under the same id.
/// </summary>
public readonly record struct RequestHash(ulong High, ulong Low)
{
    public static RequestHash Of(string meaning)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(meaning), digest);
        return new RequestHash(
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(digest),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(digest[8..]));
    }

    public static RequestHash Parse(string hex) =>
        hex.Length == 32
            ? new RequestHash(ulong.Parse(hex.AsSpan(0, 16), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ulong.Parse(hex.AsSpan(16), NumberStyles.HexNumber, CultureInfo.InvariantCulture))
            : throw new FormatException($"a request hash is 32 hex digits, not '{hex}'");

    public override string ToString() => $"{High:x16}{Low:x16}";
}
