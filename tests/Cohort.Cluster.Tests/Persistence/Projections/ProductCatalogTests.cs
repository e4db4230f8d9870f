using Akka.Persistence.Query;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Stock;
using Cohort.Cluster.Persistence.Projections;
using Cohort.Cluster.Tests.Support;
using Cohort.Domain.Stock;
using Xunit.Abstractions;

namespace Cohort.Cluster.Tests.Persistence.Projections;

/// <summary>
/// The <c>products</c> projection against the entities it follows: one row per SKU as its entity last recorded it,
/// and a replayed batch that leaves a newer row alone.
/// </summary>
[Collection(InProcessNodeCollection.Name)]
public sealed class ProductCatalogTests(ProductCatalogTests.Node fixture, ITestOutputHelper output) : IClassFixture<ProductCatalogTests.Node>
{
    public sealed class Node() : InProcessNodeFixture("product-catalog");

    [Fact]
    public async Task Each_product_has_one_row_as_its_entity_last_recorded_it_and_a_replay_leaves_it()
    {
        output.WriteLine($"node log: {fixture.Node.LogPath}");
        var run = NodeIds.Run();
        var (mugs, plates) = ($"mugs-{run}", $"plates-{run}");
        var (mug, cup, plate) = ($"cat-{run}-mug", $"cat-{run}-cup", $"cat-{run}-plate");

        await AcceptAsync(mug, "r-1", new Restock("Mug", 12.50m, "EUR", 10, mugs));
        await AcceptAsync(mug, "r-2", new Restock("Mug", 12.50m, "EUR", 5, null));
        await AcceptAsync(cup, "r-1", new Restock("Cup", 3.10m, "EUR", 2, mugs));
        await AcceptAsync(plate, "r-1", new Restock("Plate", 7m, "USD", 4, plates));
        await fixture.Database.WaitForProjectionsAsync(ProjectionTests.Timeout, ProjectionTests.Projections);
        Assert.Equal(
            [(cup, "Cup", 3.10m, "EUR", mugs, 2L, 0L, 0L, 1L), (mug, "Mug", 12.50m, "EUR", mugs, 15L, 0L, 0L, 2L),
             (plate, "Plate", 7m, "USD", plates, 4L, 0L, 0L, 1L)],
            await RowsAsync(run));

        await AcceptAsync(mug, "c-1", new ChangeDetails(null, 13.25m, plates));
        await AcceptAsync(mug, "o-1", new Reserve("order-1", 6));
        await AcceptAsync(mug, "o-2", new Reserve("order-2", 1));
        await AcceptAsync(mug, "o-3", new Confirm("order-2"));
        await fixture.Database.WaitForProjectionsAsync(ProjectionTests.Timeout, ProjectionTests.Projections);
        var changed = (mug, "Mug", 13.25m, "EUR", plates, 8L, 6L, 1L, 6L);
        Assert.Equal([(cup, "Cup", 3.10m, "EUR", mugs, 2L, 0L, 0L, 1L), changed, (plate, "Plate", 7m, "USD", plates, 4L, 0L, 0L, 1L)],
            await RowsAsync(run));

        // The mug's creation again, as a runner that crashed before storing its offset would hand it over.
        var created = new StockRecord(default, new ProductCreated("Mug", 12.50m, "EUR", mugs, 10), new StockUnits(10, 0, 0));
        var offsets = new ProjectionOffsets(fixture.Database.DataSource);
        var offset = await offsets.ReadAsync("products", CancellationToken.None);
        await new ProductCatalog(fixture.Database.DataSource, offsets).HandleAsync(
            [new EventEnvelope(Offset.Sequence(1), PersistenceIds.Of(StockRegion.TypeName, mug), 1, created, 0, [])], offset, CancellationToken.None);
        Assert.Contains(changed, await RowsAsync(run));
    }

    private async Task AcceptAsync(string sku, string requestId, StockCommand command) =>
        Assert.IsType<StockCommandAccepted>(await fixture.Node.AskAsync(
            fixture.Node.Registry.Get<StockRegion>(), StockCommandParser.Envelope(sku, requestId, command)));

    private async Task<IReadOnlyList<(string, string, decimal, string, string?, long, long, long, long)>> RowsAsync(string run)
    {
        var rows = await fixture.Database.RowsAsync("""
            SELECT sku, name, price, asset, category, available, reserved, sold, seq_nr FROM products WHERE sku LIKE $1 ORDER BY sku
            """, $"cat-{run}-%");
        return rows.Select(r => ((string)r["sku"]!, (string)r["name"]!, (decimal)r["price"]!, (string)r["asset"]!, (string?)r["category"],
            (long)r["available"]!, (long)r["reserved"]!, (long)r["sold"]!, (long)r["seq_nr"]!)).ToList();
    }
}
