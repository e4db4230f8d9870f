namespace Cohort.Node.Signing;

/// <summary>Why a request's signature was refused: a stable <see cref="Code"/> for clients and a detail for humans.</summary>
internal sealed record SigningFailure(string Code, string Detail, string? KeyId = null)
{
    public const string SignatureMissing = "signature_missing";
    public const string UnknownKey = "unknown_key";
    public const string SignatureInvalid = "signature_invalid";
    public const string TimestampStale = "timestamp_stale";
    public const string NonceReused = "nonce_reused";
}
