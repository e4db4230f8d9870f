using Cohort.Cluster.Auth;
using Cohort.Node.Auth;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

// In the namespace of the other Add*/Use* extensions, so Program.cs calls these without another using.
namespace Microsoft.AspNetCore.Builder;

internal static class AuthExtensions
{
    /// <summary>Registers <see cref="AuthOptions"/> (validated at start), JWT bearer authentication under its key, and the password hasher.</summary>
    public static IServiceCollection AddCohortAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddSingleton<PasswordHasher>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<IOptions<AuthOptions>>((jwt, auth) =>
        {
            // Claims keep their JWT names (sub, role), as AccessTokens writes and AccountAccess reads them.
            jwt.MapInboundClaims = false;
            if (AccessTokens.DecodeKey(auth.Value.SigningKey) is { } key)
            {
                jwt.TokenValidationParameters = AccessTokens.Validation(key, auth.Value);
            }
            jwt.Events = new JwtBearerEvents
            {
                OnAuthenticationFailed = context =>
                {
                    context.HttpContext.Features.Set(TokenRejection.Of(context.Exception));
                    return Task.CompletedTask;
                },
            };
        });
        return services;
    }

    /// <summary>
    /// Reads the bearer token of every request when <see cref="AuthOptions.Enabled"/>; the routes decide what they need
    /// with <see cref="AccountAccess"/>. Before request signing, which marks a signed request as a service caller.
    /// </summary>
    public static WebApplication UseCohortAuth(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.Enabled)
        {
            app.UseAuthentication();
        }
        return app;
    }
}
