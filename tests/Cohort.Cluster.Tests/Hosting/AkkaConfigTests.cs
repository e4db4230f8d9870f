using Cohort.Cluster.Tests.Support;

namespace Cohort.Cluster.Tests.Hosting;

/// <summary>
/// <c>Cohort:Akka:Config</c> is the operator's way to the Akka tunables the options do not expose: what it sets must
/// win over hocon/cohort.conf, and what it leaves alone must keep cohort.conf's value.
/// </summary>
[Collection(InProcessNodeCollection.Name)]
public sealed class AkkaConfigTests(AkkaConfigTests.Node fixture) : IClassFixture<AkkaConfigTests.Node>
{
    public sealed class Node() : InProcessNodeFixture("akka-config")
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            ["Cohort:Akka:Config"] = "akka.cluster.split-brain-resolver.stable-after = 11s",
        };
    }

    [Fact]
    public void The_operators_hocon_overrides_cohort_conf_and_leaves_the_rest()
    {
        var config = fixture.Node.System.Settings.Config;

        Assert.Equal(TimeSpan.FromSeconds(11), config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after"));
        Assert.Equal(TimeSpan.FromSeconds(4), config.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause"));
        Assert.Equal("keep-majority", config.GetString("akka.cluster.split-brain-resolver.active-strategy"));
    }
}
