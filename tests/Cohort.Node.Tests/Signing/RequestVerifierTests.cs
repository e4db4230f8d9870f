using System.Text;
using Cohort.Node.Signing;
using Microsoft.AspNetCore.Http;

namespace Cohort.Node.Tests.Signing;

public sealed class RequestVerifierTests
{
    // bytes 0..31; the expected signatures below come from `openssl dgst -sha256 -mac HMAC`, not from this code.
    private const string Secret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    private const string OtherSecret = "ZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmY=";
    private const string KeyId = "svc-a";
    private const string Path = "/api/v1/accounts/acc-1/deposit?x=1";
    private const string Body = """{"requestId":"r1","asset":"USD","amount":"10"}""";
    private const long Timestamp = 1_700_000_000;
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(Timestamp);

    private readonly RequestVerifier verifier = new(new SigningOptions
    {
        Enabled = true,
        Keys = new() { [KeyId] = Secret },
        Window = TimeSpan.FromMinutes(5),
    });

    [Fact]
    public void Signature_is_hmac_sha256_of_method_path_timestamp_nonce_and_body()
    {
        var key = Convert.FromBase64String(Secret);

        Assert.Equal("685a361f620825b356d7183a39a0a0d88a83330cc477be477890f5a3937c480d",
            RequestSignature.ComputeHex(key, "POST", Path, "1700000000", "n-1", Encoding.UTF8.GetBytes(Body)));
        Assert.Equal("be5d6c7b490df22eb74526fae67c7031b1b322506e37be84c29c9377af0977ab",
            RequestSignature.ComputeHex(key, "GET", "/api/v1/accounts/acc-1", "1700000000", "n-2", []));
    }

    [Fact]
    public void Correctly_signed_request_passes()
    {
        Assert.Null(Verify(Sign()));
    }

    [Fact]
    public void Get_with_empty_body_passes()
    {
        var headers = Sign(method: "GET", path: "/api/v1/accounts/acc-1", body: "");

        Assert.Null(verifier.Verify(headers, "GET", "/api/v1/accounts/acc-1", [], Now));
    }

    [Fact]
    public void Uppercase_hex_signature_is_accepted()
    {
        var headers = Sign();
        headers[SignatureHeaders.SignatureHeader] = headers[SignatureHeaders.SignatureHeader].ToString().ToUpperInvariant();

        Assert.Null(Verify(headers));
    }

    [Fact]
    public void Tampered_body_is_invalid()
    {
        Assert.Equal(SigningFailure.SignatureInvalid, Verify(Sign(), body: Body.Replace("10", "1000"))?.Code);
    }

    [Fact]
    public void Tampered_path_is_invalid()
    {
        Assert.Equal(SigningFailure.SignatureInvalid, Verify(Sign(), path: "/api/v1/accounts/acc-2/deposit?x=1")?.Code);
        Assert.Equal(SigningFailure.SignatureInvalid, Verify(Sign(), path: "/api/v1/accounts/acc-1/deposit")?.Code);
    }

    [Fact]
    public void Tampered_method_is_invalid()
    {
        Assert.Equal(SigningFailure.SignatureInvalid, Verify(Sign(), method: "PUT")?.Code);
    }

    [Fact]
    public void Changed_nonce_or_timestamp_header_is_invalid()
    {
        var nonce = Sign();
        nonce[SignatureHeaders.NonceHeader] = "n-other";
        var timestamp = Sign();
        timestamp[SignatureHeaders.TimestampHeader] = (Timestamp + 1).ToString();

        Assert.Equal(SigningFailure.SignatureInvalid, Verify(nonce)?.Code);
        Assert.Equal(SigningFailure.SignatureInvalid, Verify(timestamp)?.Code);
    }

    [Fact]
    public void Signed_with_another_secret_is_invalid()
    {
        Assert.Equal(SigningFailure.SignatureInvalid, Verify(Sign(secret: OtherSecret))?.Code);
    }

    [Fact]
    public void Unknown_key_id_is_refused_as_unknown()
    {
        Assert.Equal(SigningFailure.UnknownKey, Verify(Sign(keyId: "svc-b"))?.Code);
    }

    [Fact]
    public void Key_ids_are_case_sensitive()
    {
        Assert.Equal(SigningFailure.UnknownKey, Verify(Sign(keyId: "SVC-A"))?.Code);
    }

    [Theory]
    [InlineData(-300, null)]
    [InlineData(-301, SigningFailure.TimestampStale)]
    [InlineData(-3600, SigningFailure.TimestampStale)]
    [InlineData(300, null)]
    [InlineData(301, SigningFailure.TimestampStale)]
    [InlineData(86_400, SigningFailure.TimestampStale)]
    public void Timestamp_must_be_within_the_window_either_way(int offsetSeconds, string? expected)
    {
        Assert.Equal(expected, Verify(Sign(timestamp: Timestamp + offsetSeconds))?.Code);
    }

    [Fact]
    public void Stale_timestamp_is_reported_before_a_wrong_signature()
    {
        Assert.Equal(SigningFailure.TimestampStale, Verify(Sign(timestamp: Timestamp - 3600), body: "other")?.Code);
    }

    [Fact]
    public void Unknown_key_is_reported_before_a_stale_timestamp()
    {
        Assert.Equal(SigningFailure.UnknownKey, Verify(Sign(keyId: "svc-b", timestamp: 0))?.Code);
    }

    [Theory]
    [InlineData(SignatureHeaders.KeyIdHeader)]
    [InlineData(SignatureHeaders.TimestampHeader)]
    [InlineData(SignatureHeaders.NonceHeader)]
    [InlineData(SignatureHeaders.SignatureHeader)]
    public void Any_missing_header_is_signature_missing(string header)
    {
        var headers = Sign();
        headers.Remove(header);

        Assert.Equal(SigningFailure.SignatureMissing, Verify(headers)?.Code);
    }

    [Theory]
    [InlineData(SignatureHeaders.NonceHeader, "")]
    [InlineData(SignatureHeaders.NonceHeader, "has/slash")]
    [InlineData(SignatureHeaders.NonceHeader, "has space")]
    [InlineData(SignatureHeaders.NonceHeader, "dot.ted")]
    [InlineData(SignatureHeaders.TimestampHeader, "-1700000000")]
    [InlineData(SignatureHeaders.TimestampHeader, "+1700000000")]
    [InlineData(SignatureHeaders.TimestampHeader, "1700000000.5")]
    [InlineData(SignatureHeaders.TimestampHeader, " 1700000000")]
    [InlineData(SignatureHeaders.TimestampHeader, "9999999999999999999999")]
    [InlineData(SignatureHeaders.SignatureHeader, "abc")]
    [InlineData(SignatureHeaders.SignatureHeader, "zz5a361f620825b356d7183a39a0a0d88a83330cc477be477890f5a3937c480d")]
    [InlineData(SignatureHeaders.SignatureHeader, "685a361f620825b356d7183a39a0a0d88a83330cc477be477890f5a3937c480d00")]
    [InlineData(SignatureHeaders.KeyIdHeader, "svc a")]
    public void Malformed_header_is_signature_missing(string header, string value)
    {
        var headers = Sign();
        headers[header] = value;

        Assert.Equal(SigningFailure.SignatureMissing, Verify(headers)?.Code);
    }

    [Fact]
    public void Nonce_of_64_characters_passes_and_65_is_malformed()
    {
        Assert.Null(Verify(Sign(nonce: new string('n', 64))));
        Assert.Equal(SigningFailure.SignatureMissing, Verify(Sign(nonce: new string('n', 65)))?.Code);
    }

    [Fact]
    public void Header_sent_twice_is_signature_missing()
    {
        var headers = Sign();
        headers.Append(SignatureHeaders.NonceHeader, "n-2");

        Assert.Equal(SigningFailure.SignatureMissing, Verify(headers)?.Code);
    }

    private SigningFailure? Verify(HeaderDictionary headers, string method = "POST", string path = Path, string body = Body) =>
        verifier.Verify(headers, method, path, Encoding.UTF8.GetBytes(body), Now);

    private static HeaderDictionary Sign(
        string method = "POST", string path = Path, string body = Body, string keyId = KeyId, string secret = Secret,
        long timestamp = Timestamp, string nonce = "n-1")
    {
        var signature = RequestSignature.ComputeHex(
            Convert.FromBase64String(secret), method, path, timestamp.ToString(), nonce, Encoding.UTF8.GetBytes(body));
        return new HeaderDictionary
        {
            [SignatureHeaders.KeyIdHeader] = keyId,
            [SignatureHeaders.TimestampHeader] = timestamp.ToString(),
            [SignatureHeaders.NonceHeader] = nonce,
            [SignatureHeaders.SignatureHeader] = signature,
        };
    }
}
