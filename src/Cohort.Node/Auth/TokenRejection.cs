using Microsoft.IdentityModel.Tokens;

namespace Cohort.Node.Auth;

/// <summary>Why the bearer token of a request was refused, kept on the request for the 401 to tell the caller.</summary>
internal sealed record TokenRejection(string Reason)
{
    /// <summary>Says what is wrong without echoing the token or its claims.</summary>
    public static TokenRejection Of(Exception e) => new(e switch
    {
        SecurityTokenExpiredException expired => $"the token expired at {expired.Expires:O}",
        SecurityTokenNotYetValidException => "the token is not valid yet",
        SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "the token's signature does not match this cluster's key",
        SecurityTokenInvalidIssuerException or SecurityTokenInvalidAudienceException => "the token was issued for another issuer or audience",
        SecurityTokenInvalidAlgorithmException => "the token is not signed with HS256",
        SecurityTokenMalformedException => "the token is not a JWT",
        _ => "the token is not valid",
    });
}
