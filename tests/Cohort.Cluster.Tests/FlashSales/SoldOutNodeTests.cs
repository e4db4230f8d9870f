using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Stock;
using Cohort.Cluster.FlashSales;
using Cohort.Cluster.Tests.Support;
using Cohort.Domain.Stock;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Cohort.Cluster.Tests.FlashSales;

/// <summary>
/// A node built by <c>AddCohort</c> wires its stock region to its sold-out board: a product whose last unit is
/// reserved through the region shows on the node's <see cref="SoldOutBoard"/>, and leaves it when restocked.
/// </summary>
[Collection(InProcessNodeCollection.Name)]
public sealed class SoldOutNodeTests(SoldOutNodeTests.Node fixture, ITestOutputHelper output) : IClassFixture<SoldOutNodeTests.Node>
{
    private static readonly TimeSpan Convergence = TimeSpan.FromSeconds(30);

    public sealed class Node() : InProcessNodeFixture("sold-out-node");

    [Fact]
    public async Task The_region_s_stock_actors_publish_to_the_node_s_board()
    {
        output.WriteLine($"node log: {fixture.Node.LogPath}");
        var board = fixture.Node.Services.GetRequiredService<SoldOutBoard>();
        var sku = $"sku-{NodeIds.Run()}";

        await AcceptedAsync(sku, "s-1", new Restock("Mug", 12.50m, "EUR", 1, null));
        await AcceptedAsync(sku, "s-2", new Reserve("o-1", 1));
        await NodeWait.UntilAsync(() => board.IsSoldOut(sku), Convergence, () => $"{sku} not on the board; node log {fixture.Node.LogPath}");

        await AcceptedAsync(sku, "s-3", new Restock("Mug", 12.50m, "EUR", 1, null));
        await NodeWait.UntilAsync(() => !board.IsSoldOut(sku), Convergence, () => $"{sku} still on the board; node log {fixture.Node.LogPath}");
    }

    private async Task AcceptedAsync(string sku, string requestId, StockCommand command) =>
        Assert.IsType<StockCommandAccepted>(await fixture.Node.AskAsync(fixture.Node.Registry.Get<StockRegion>(),
            StockCommandParser.Envelope(sku, requestId, command)));
}
