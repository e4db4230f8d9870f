using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Kafka;
using Cohort.Cluster.Singletons;
using Cohort.Cluster.Tests.Support;
using Cohort.Domain.Accounts;
using Xunit.Abstractions;

namespace Cohort.Cluster.Tests.Persistence.Projections;

/// <summary>A projection resumes where it stored its offset: a restarted node applies and publishes nothing twice.</summary>
[Collection(InProcessNodeCollection.Name)]
public sealed class ProjectionRestartTests(ProjectionRestartTests.Node fixture, ITestOutputHelper output) : IClassFixture<ProjectionRestartTests.Node>
{
    public sealed class Node() : InProcessNodeFixture("restart")
    {
        protected override bool StartsNode => false;
    }

    [Fact]
    public async Task A_restarted_node_resumes_its_projections_from_their_stored_offsets()
    {
        var run = NodeIds.Run();
        var (account, marker) = ($"restart-{run}-a", $"restart-{run}-m");
        var (asset, markerAsset) = (NodeIds.Asset("S"), NodeIds.Asset("M"));

        var first = await fixture.StartNodeAsync();
        output.WriteLine($"first node log: {first.LogPath}");
        Assert.IsType<AccountCommandAccepted>(await first.AccountAsync(account, "d-1", new Deposit(asset, 10m)));
        Assert.IsType<AccountCommandAccepted>(await first.AccountAsync(account, "f-1", new Freeze(asset, 2m)));
        // Last in the journal, and it moves the asset's totals: a projection that resumed at the stored offset instead
        // of after it would count it twice.
        Assert.IsType<AccountCommandAccepted>(await first.AccountAsync(account, "w-1", new Withdraw(asset, 3m)));
        await fixture.Database.WaitForProjectionsAsync(ProjectionTests.Timeout, ProjectionTests.Projections);
        var flows = await FlowsAsync(asset);
        Assert.Equal((7m, 0m, 7m), flows);
        var offsets = await Task.WhenAll(ProjectionTests.Projections.Select(fixture.Database.ProjectionOffsetAsync));
        Assert.Equal(3, PublishedFor(account));
        await first.DisposeAsync();

        var second = await fixture.StartNodeAsync();
        output.WriteLine($"second node log: {second.LogPath}");
        // Nothing of the asset happens after the restart. A marker in another asset is written after it, and once the
        // projections have handled the marker they have handled everything before it in the journal: had they started
        // over from the beginning, the asset's records would have been applied and published a second time by then.
        Assert.IsType<AccountCommandAccepted>(await second.AccountAsync(marker, "d-1", new Deposit(markerAsset, 1m)));
        await fixture.Database.WaitForProjectionsAsync(ProjectionTests.Timeout, ProjectionTests.Projections);

        var resumed = await Task.WhenAll(ProjectionTests.Projections.Select(fixture.Database.ProjectionOffsetAsync));
        Assert.All(offsets.Zip(resumed), o => Assert.True(o.Item2 > o.Item1, $"a projection's offset went from {o.Item1} to {o.Item2}"));
        Assert.Equal(flows, await FlowsAsync(asset));
        Assert.Equal((1m, 0m, 1m), await FlowsAsync(markerAsset));
        var balance = Assert.Single(await fixture.Database.RowsAsync("SELECT available, frozen FROM balances WHERE account_id = $1", account));
        Assert.Equal((5m, 2m), ((decimal)balance["available"]!, (decimal)balance["frozen"]!));
        Assert.Equal(3, PublishedFor(account));
        Assert.Equal(1, PublishedFor(marker));

        // Double counting would also break the books; the node's own reconciliation sees them whole.
        var report = Assert.IsType<ReconciliationReport>(await second.AskAsync(second.Registry.Get<ReconciliationActor>(), new Reconcile(ReconciliationScope.Full)));
        Assert.Empty(report.Mismatches);
    }

    private async Task<(decimal Expected, decimal InFlight, decimal Held)> FlowsAsync(string asset)
    {
        var flow = Assert.Single(await fixture.Database.RowsAsync("SELECT expected, in_flight, held FROM asset_flows WHERE asset = $1", asset));
        return ((decimal)flow["expected"]!, (decimal)flow["in_flight"]!, (decimal)flow["held"]!);
    }

    private int PublishedFor(string account) =>
        fixture.Kafka.ReadToEnd(CohortTopics.Events(AccountRegion.TypeName)).Count(m => m.Message.Key == account);
}
