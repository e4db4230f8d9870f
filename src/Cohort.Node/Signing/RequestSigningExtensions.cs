using Cohort.Node.Signing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

// In the namespace of the other Add*/Use* extensions, so Program.cs calls these without another using.
namespace Microsoft.AspNetCore.Builder;

internal static class RequestSigningExtensions
{
    /// <summary>Registers <see cref="SigningOptions"/> (validated at start), the verifier, the nonce store and its pruner.</summary>
    public static IServiceCollection AddRequestSigning(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SigningOptions>().Bind(configuration.GetSection(SigningOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SigningOptions>, SigningOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<RequestVerifier>();
        services.AddSingleton<NonceStore>();
        services.AddHostedService<NoncePruner>();
        return services;
    }

    /// <summary>Requires signatures under <c>/api/</c> when <see cref="SigningOptions.Enabled"/>; otherwise adds nothing.</summary>
    public static WebApplication UseRequestSigning(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<SigningOptions>>().Value.Enabled)
        {
            app.UseMiddleware<RequestSigningMiddleware>();
        }
        return app;
    }
}
