namespace Cohort.Node.Signing;

/// <summary>Refusals of the signing check, as problem+json with the same shape as the other errors of the API.</summary>
internal static class SigningProblems
{
    // RFC 9110 requires a 401 to name the scheme the client should use.
    private const string Scheme = "Cohort-HMAC-SHA256";

    public static Task WriteAsync(HttpContext context, SigningFailure failure)
    {
        context.Response.Headers.WWWAuthenticate = Scheme;
        return Results.Json(
                new
                {
                    type = $"https://cohort.dev/problems/{failure.Code}",
                    title = Title(failure.Code),
                    status = StatusCodes.Status401Unauthorized,
                    detail = failure.Detail,
                    code = failure.Code,
                },
                statusCode: StatusCodes.Status401Unauthorized,
                contentType: "application/problem+json")
            .ExecuteAsync(context);
    }

    private static string Title(string code) => code switch
    {
        SigningFailure.SignatureMissing => "The request is not signed",
        SigningFailure.UnknownKey => "The signing key is not known",
        SigningFailure.SignatureInvalid => "The signature does not match the request",
        SigningFailure.TimestampStale => "The request timestamp is outside the accepted window",
        SigningFailure.NonceReused => "The nonce was already used",
        _ => "The request signature was refused",
    };
}
