using Cohort.Node.Signing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cohort.Node.Tests.Signing;

public sealed class SigningOptionsTests
{
    private const string Secret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    [Fact]
    public void Binds_from_the_cohort_signing_section_with_defaults()
    {
        var options = Bind(new()
        {
            ["Cohort:Signing:Enabled"] = "true",
            ["Cohort:Signing:Keys:svc-a"] = Secret,
        });

        Assert.True(options.Enabled);
        Assert.Equal(Secret, options.Keys["svc-a"]);
        Assert.Equal(TimeSpan.FromMinutes(5), options.Window);
    }

    [Fact]
    public void Disabled_by_default()
    {
        Assert.False(Bind([]).Enabled);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("c2hvcnQ=")] // "short": 5 bytes
    [InlineData("")]
    public void Enabled_with_an_unusable_secret_fails_at_start(string secret)
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Bind(new()
        {
            ["Cohort:Signing:Enabled"] = "true",
            ["Cohort:Signing:Keys:svc-a"] = secret,
        }));
        Assert.Contains("Cohort:Signing:Keys:svc-a", failure.Message);
        if (secret.Length > 0)
        {
            Assert.DoesNotContain(secret, failure.Message);
        }
    }

    [Fact]
    public void Enabled_without_keys_fails_at_start()
    {
        Assert.Throws<OptionsValidationException>(() => Bind(new() { ["Cohort:Signing:Enabled"] = "true" }));
    }

    [Fact]
    public void Non_positive_window_fails_at_start()
    {
        Assert.Throws<OptionsValidationException>(() => Bind(new() { ["Cohort:Signing:Window"] = "00:00:00" }));
    }

    private static SigningOptions Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddRequestSigning(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<SigningOptions>>().Value;
    }
}
