using System.Security.Claims;
using Cohort.Cluster.Auth;
using Cohort.Node.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cohort.Node.Signing;

/// <summary>
/// Lets a request under <c>/api/</c> through only when it is correctly signed, fresh, and its nonce is new, and marks
/// it as a service caller (role <c>service</c>), which needs no token. A request that carries a bearer token and no
/// signature header is left to the token: users call the same API as services. The body is read here to be verified
/// and left buffered, so the endpoint reads it again from the start.
/// </summary>
internal sealed class RequestSigningMiddleware(
    RequestDelegate next,
    RequestVerifier verifier,
    NonceStore nonces,
    TimeProvider time,
    IOptions<AuthOptions> auth,
    ILogger<RequestSigningMiddleware> logger)
{
    // StartsWithSegments ignores case, as routing does: /API/v1/... reaches the same endpoints and must be signed too.
    private static readonly PathString SignedPrefix = "/api";

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments(SignedPrefix) || IsBearerOnly(request))
        {
            await next(context);
            return;
        }
        var ct = context.RequestAborted;
        if (!verifier.TryAdmit(request.Headers, time.GetUtcNow(), out var admitted, out var failure))
        {
            await RefuseAsync(context, failure);
            return;
        }
        var body = await ReadBodyAsync(request, ct);
        if (body is null)
        {
            await Problems.Validation($"the body is larger than {JsonBody.MaxBytes} bytes").ExecuteAsync(context);
            return;
        }
        failure = RequestVerifier.CheckSignature(admitted, request.Method, PathAndQuery(context), body);
        if (failure is not null)
        {
            await RefuseAsync(context, failure);
            return;
        }
        bool fresh;
        try
        {
            fresh = await nonces.TryRecordAsync(admitted.Headers.KeyId, admitted.Headers.Nonce, ct);
        }
        catch (NpgsqlException e)
        {
            logger.LogWarning("Recording the nonce of a signed request failed: {Reason}", e.Message);
            await Problems.Of(Problems.Unavailable, "the request nonce could not be recorded; retry with a new nonce")
                .ExecuteAsync(context);
            return;
        }
        if (!fresh)
        {
            await RefuseAsync(context, new SigningFailure(SigningFailure.NonceReused,
                $"nonce {admitted.Headers.Nonce} was already used with key {admitted.Headers.KeyId}; sign every request with a new nonce",
                admitted.Headers.KeyId));
            return;
        }
        context.User = ServiceCaller(admitted.Headers.KeyId);
        await next(context);
    }

    /// <summary>Only while tokens are checked: with auth off, any "Bearer" header would be a way around signing.</summary>
    private bool IsBearerOnly(HttpRequest request) =>
        auth.Value.Enabled
        && request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
        && !request.Headers.ContainsKey(SignatureHeaders.KeyIdHeader) && !request.Headers.ContainsKey(SignatureHeaders.SignatureHeader);

    private static ClaimsPrincipal ServiceCaller(string keyId) => new(new ClaimsIdentity(
        [new Claim(AccessTokens.SubjectClaim, keyId), new Claim(AccessTokens.RoleClaim, AccessTokens.ServiceRole)],
        authenticationType: "Cohort-HMAC-SHA256", nameType: AccessTokens.SubjectClaim, roleType: AccessTokens.RoleClaim));

    private Task RefuseAsync(HttpContext context, SigningFailure failure)
    {
        logger.LogWarning("Refused {Method} {Path} from {RemoteAddress}: {Code} (key {KeyId}): {Detail}",
            context.Request.Method, context.Request.Path.Value, context.Connection.RemoteIpAddress, failure.Code,
            failure.KeyId, failure.Detail);
        return SigningProblems.WriteAsync(context, failure);
    }

    // The raw target, not the decoded Path: the caller signs the bytes it sends, and decoding is not one-to-one.
    private static string PathAndQuery(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        return string.IsNullOrEmpty(raw)
            ? context.Request.PathBase.Add(context.Request.Path).ToUriComponent() + context.Request.QueryString.ToUriComponent()
            : raw;
    }

    /// <returns>The body, or null when it exceeds the limit the endpoints enforce; left readable from the start.</returns>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        // The threshold keeps every body that can pass in memory; a larger one is refused before it spills to disk.
        request.EnableBuffering(bufferThreshold: JsonBody.MaxBytes);
        var body = await JsonBody.ReadBytesAsync(request, ct);
        request.Body.Position = 0;
        return body;
    }
}
