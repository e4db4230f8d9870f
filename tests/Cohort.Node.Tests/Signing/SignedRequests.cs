using System.Text;
using Cohort.Node.Signing;

namespace Cohort.Node.Tests.Signing;

/// <summary>Builds requests the way a service caller signs them.</summary>
internal static class SignedRequests
{
    public static HttpRequestMessage Create(
        HttpMethod method, string pathAndQuery, string? body, string keyId, byte[] key,
        long? timestamp = null, string? nonce = null, string? signedBody = null)
    {
        var request = new HttpRequestMessage(method, pathAndQuery);
        var bytes = Encoding.UTF8.GetBytes(body ?? "");
        if (body is not null)
        {
            request.Content = new ByteArrayContent(bytes) { Headers = { ContentType = new("application/json") } };
        }
        var ts = (timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds()).ToString();
        nonce ??= Guid.NewGuid().ToString("N");
        var signature = RequestSignature.ComputeHex(
            key, method.Method, pathAndQuery, ts, nonce, signedBody is null ? bytes : Encoding.UTF8.GetBytes(signedBody));
        request.Headers.Add(SignatureHeaders.KeyIdHeader, keyId);
        request.Headers.Add(SignatureHeaders.TimestampHeader, ts);
        request.Headers.Add(SignatureHeaders.NonceHeader, nonce);
        request.Headers.Add(SignatureHeaders.SignatureHeader, signature);
        return request;
    }

    /// <summary>A second, identical request: an <see cref="HttpRequestMessage"/> cannot be sent twice.</summary>
    public static async Task<HttpRequestMessage> CopyAsync(HttpRequestMessage original)
    {
        var copy = new HttpRequestMessage(original.Method, original.RequestUri);
        if (original.Content is not null)
        {
            copy.Content = new ByteArrayContent(await original.Content.ReadAsByteArrayAsync())
            {
                Headers = { ContentType = original.Content.Headers.ContentType },
            };
        }
        foreach (var header in original.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        return copy;
    }
}
