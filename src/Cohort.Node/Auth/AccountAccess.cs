using System.Security.Claims;
using Cohort.Cluster.Auth;
using Cohort.Node.Http;
using Microsoft.Extensions.Options;

namespace Cohort.Node.Auth;

/// <summary>
/// Who may do what, in one place. An account acts on itself; <c>admin</c> (operators' tokens) and <c>service</c>
/// (requests that passed HMAC signing) act on any account; only <c>admin</c> reaches <c>/admin</c>. Put a rule on a
/// route or a route group:
/// <code>
/// app.MapGroup("/api/v1/accounts/{accountId}/cart").RequireAccount();   // the owner, admin or service
/// orders.MapPost("/", ...).RequireService();                             // admin or service
/// app.MapGroup("/admin").RequireAdmin();
/// </code>
/// and for an account named in a body, <c>if (AccountAccess.Check(context, from) is { } refused) return refused;</c>.
/// No or a bad token answers <c>401 unauthorized</c>, a token without the right <c>403 forbidden</c>. With
/// <see cref="AuthOptions.Enabled"/> false every rule lets everything through.
/// </summary>
internal static class AccountAccess
{
    /// <summary>The account named by route value <paramref name="routeValue"/>, or admin, or service.</summary>
    public static TBuilder RequireAccount<TBuilder>(this TBuilder builder, string routeValue = "accountId")
        where TBuilder : IEndpointConventionBuilder =>
        Require(builder, context => Check(context.User, context.Request.RouteValues[routeValue] as string, context));

    /// <summary>Operations other services do for users (deposit, withdraw, freeze, ...): admin or service.</summary>
    public static TBuilder RequireService<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        Require(builder, context => Refusal(context, IsAdmin(context.User) || IsService(context.User), "an admin token or a signed request"));

    public static TBuilder RequireAdmin<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        Require(builder, context => Refusal(context, IsAdmin(context.User), "an admin token"));

    /// <summary>Any valid token, whatever account it acts as.</summary>
    public static TBuilder RequireCaller<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        Require(builder, context => Refusal(context, true, "a token"));

    /// <summary>null when the caller may act on <paramref name="accountId"/>; otherwise the 401 or 403 to answer.</summary>
    public static IResult? Check(HttpContext context, string? accountId) =>
        Enabled(context.RequestServices) ? Check(context.User, accountId, context) : null;

    /// <summary>The account the caller acts as (the token's <c>sub</c>), or null for a service or anonymous caller.</summary>
    public static string? AccountOf(HttpContext context) => IsService(context.User) ? null : AccessTokens.AccountOf(context.User);

    /// <summary>Whether the caller may act on any account: admin or service, or anyone while auth is off.</summary>
    public static bool ActsOnAnyAccount(HttpContext context) =>
        !Enabled(context.RequestServices) || IsAdmin(context.User) || IsService(context.User);

    private static IResult? Check(ClaimsPrincipal user, string? accountId, HttpContext context) =>
        Refusal(context, IsAdmin(user) || IsService(user) || (accountId is not null && AccessTokens.AccountOf(user) == accountId),
            $"a token of account '{accountId}', an admin token or a signed request");

    private static IResult? Refusal(HttpContext context, bool allowed, string needed)
    {
        if (context.User.Identity?.IsAuthenticated != true)
        {
            var rejection = context.Features.Get<TokenRejection>();
            return new Challenge(rejection is null
                ? $"this route needs {needed}: send Authorization: Bearer <token> (POST /api/v1/users/login, or ./cohort token)"
                : $"{rejection.Reason}; this route needs {needed}");
        }
        return allowed ? null : Problems.Of(Problems.Forbidden, $"this route needs {needed}");
    }

    private static TBuilder Require<TBuilder>(TBuilder builder, Func<HttpContext, IResult?> check) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory((factory, next) => !Enabled(factory.ApplicationServices)
            ? next
            : async invocation => check(invocation.HttpContext) ?? await next(invocation));

    private static bool Enabled(IServiceProvider services) => services.GetRequiredService<IOptions<AuthOptions>>().Value.Enabled;

    private static bool IsAdmin(ClaimsPrincipal user) => user.Identity?.IsAuthenticated == true && user.IsInRole(AccessTokens.AdminRole);

    private static bool IsService(ClaimsPrincipal user) => user.Identity?.IsAuthenticated == true && user.IsInRole(AccessTokens.ServiceRole);

    /// <summary>A 401 that names the scheme to use, as RFC 9110 asks.</summary>
    private sealed class Challenge(string detail) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return Problems.Of(Problems.Unauthorized, detail).ExecuteAsync(httpContext);
        }
    }
}
