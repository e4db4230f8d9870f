using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace Cohort.Node.Signing;

/// <summary>A request whose headers, key and timestamp passed; its signature is still to be checked.</summary>
internal sealed record AdmittedRequest(SignatureHeaders Headers, byte[] Key);

/// <summary>
/// Checks a signed request in a fixed order: headers, key, timestamp, signature. The nonce comes last and apart
/// (<see cref="NonceStore"/>), so only a correctly signed request can use one up.
/// </summary>
internal sealed class RequestVerifier
{
    private readonly SigningKeys keys;
    private readonly TimeSpan window;

    public RequestVerifier(IOptions<SigningOptions> options)
        : this(options.Value)
    {
    }

    public RequestVerifier(SigningOptions options)
    {
        keys = new SigningKeys(options.Keys);
        window = options.Window;
    }

    /// <summary>The checks that need no body, so a request without a chance is refused before it is read.</summary>
    public bool TryAdmit(
        IHeaderDictionary headers, DateTimeOffset now,
        [NotNullWhen(true)] out AdmittedRequest? admitted, [NotNullWhen(false)] out SigningFailure? failure)
    {
        admitted = null;
        if (!SignatureHeaders.TryParse(headers, out var signed, out var problem))
        {
            failure = new SigningFailure(SigningFailure.SignatureMissing, problem);
            return false;
        }
        if (!keys.TryGet(signed.KeyId, out var key))
        {
            failure = new SigningFailure(SigningFailure.UnknownKey, $"no signing key has the id '{signed.KeyId}'", signed.KeyId);
            return false;
        }
        var skewMs = now.ToUnixTimeMilliseconds() - signed.UnixSeconds * 1000;
        if (Math.Abs(skewMs) > (long)window.TotalMilliseconds)
        {
            failure = new SigningFailure(SigningFailure.TimestampStale,
                $"{SignatureHeaders.TimestampHeader} {signed.Timestamp} is {TimeSpan.FromMilliseconds(Math.Abs(skewMs)):g} " +
                $"{(skewMs > 0 ? "behind" : "ahead of")} the server's clock; at most {window:g} is accepted",
                signed.KeyId);
            return false;
        }
        admitted = new AdmittedRequest(signed, key);
        failure = null;
        return true;
    }

    /// <returns>null when the signature matches.</returns>
    public static SigningFailure? CheckSignature(AdmittedRequest admitted, string method, string pathAndQuery, ReadOnlySpan<byte> body)
    {
        var signed = admitted.Headers;
        if (RequestSignature.Matches(admitted.Key, method, pathAndQuery, signed.Timestamp, signed.Nonce, body, signed.Signature))
        {
            return null;
        }
        // What the server signed, minus the body, is what a caller needs to find its mistake; it reveals no secret.
        return new SigningFailure(SigningFailure.SignatureInvalid,
            $"the signature does not match {method} {pathAndQuery} with timestamp {signed.Timestamp}, nonce {signed.Nonce} " +
            $"and a body of {body.Length} bytes",
            signed.KeyId);
    }

    /// <summary>Every check but the nonce, in order.</summary>
    /// <returns>null when the request is correctly signed and fresh.</returns>
    public SigningFailure? Verify(
        IHeaderDictionary headers, string method, string pathAndQuery, ReadOnlySpan<byte> body, DateTimeOffset now) =>
        TryAdmit(headers, now, out var admitted, out var failure) ? CheckSignature(admitted, method, pathAndQuery, body) : failure;
}
