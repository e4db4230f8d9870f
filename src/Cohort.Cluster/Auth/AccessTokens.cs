using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cohort.Cluster.Auth;

/// <summary>
/// Cohort's JWTs, HS256 under the configured key: <c>sub</c> is the account id the token acts as, <c>role</c> is
/// <c>admin</c> for operators' tokens. The node's login, <c>cohort token</c> and the tests all mint them here.
/// </summary>
public static class AccessTokens
{
    public const string SubjectClaim = "sub";
    public const string RoleClaim = "role";

    /// <summary>Acts on every account, on products and on <c>/admin</c>.</summary>
    public const string AdminRole = "admin";

    /// <summary>A request that passed HMAC request signing: a trusted service, as admin everywhere under <c>/api/</c>.</summary>
    public const string ServiceRole = "service";

    /// <summary>The subject of admin tokens from <c>cohort token --admin</c>.</summary>
    public const string AdminSubject = "admin";

    /// <returns>The key, or null when <paramref name="base64"/> is not base64 of at least <see cref="AuthOptions.MinKeyBytes"/> bytes.</returns>
    public static byte[]? DecodeKey(string? base64)
    {
        if (string.IsNullOrWhiteSpace(base64))
        {
            return null;
        }
        var buffer = new byte[base64.Length];
        return Convert.TryFromBase64String(base64.Trim(), buffer, out var written) && written >= AuthOptions.MinKeyBytes
            ? buffer[..written]
            : null;
    }

    /// <summary>A token for <paramref name="subject"/>, valid from <paramref name="notBefore"/> until <paramref name="expires"/>.</summary>
    public static string Issue(byte[] key, string issuer, string audience, string subject, bool admin, DateTime notBefore, DateTime expires)
    {
        var claims = new Dictionary<string, object> { [SubjectClaim] = subject };
        if (admin)
        {
            claims[RoleClaim] = AdminRole;
        }
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = notBefore,
            NotBefore = notBefore,
            Expires = expires,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256),
        });
    }

    public static string Issue(byte[] key, AuthOptions options, string subject, bool admin, DateTime now, TimeSpan lifetime) =>
        Issue(key, options.Issuer, options.Audience, subject, admin, now, now + lifetime);

    /// <summary>What a node accepts: HS256 only, under the key, from the issuer to the audience, within its lifetime.</summary>
    public static TokenValidationParameters Validation(byte[] key, AuthOptions options) => new()
    {
        ValidIssuer = options.Issuer,
        ValidAudience = options.Audience,
        IssuerSigningKey = new SymmetricSecurityKey(key),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = options.ClockSkew,
        NameClaimType = SubjectClaim,
        RoleClaimType = RoleClaim,
    };

    /// <summary>The account a caller acts as, or null for an anonymous one.</summary>
    public static string? AccountOf(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.FindFirst(SubjectClaim)?.Value : null;
}
