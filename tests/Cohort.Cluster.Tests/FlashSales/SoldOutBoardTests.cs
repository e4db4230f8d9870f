using Akka.Actor;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Stock;
using Cohort.Cluster.FlashSales;
using Cohort.Cluster.Tests.Support;
using Cohort.Domain.Stock;
using Xunit.Abstractions;

namespace Cohort.Cluster.Tests.FlashSales;

/// <summary>
/// The sold-out board as stock actors publish to it through Akka.DistributedData on clustered ActorSystems: the
/// node's own board follows the product between sold out and available, another member's board learns it by
/// gossip, and a product recovered from a journal with no unit available is on the board once its actor starts.
/// Boards converge, so every check polls until a deadline; none asserts how fast.
/// </summary>
public sealed class SoldOutBoardTests(JournalDatabase journal, ITestOutputHelper output) : ActorSpec(journal, output)
{
    private static readonly TimeSpan Convergence = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_local_board_follows_the_last_unit_reserved_released_and_restocked()
    {
        await using var member = await ClusterMember.StartAsync(Formats, Journal.ConnectionString);
        var sku = NewId("sku");
        var stock = StartStock(member, sku);

        await AcceptedAsync(stock, sku, "r-1", new Restock("Mug", 12.50m, "EUR", 1, null));
        await AcceptedAsync(stock, sku, "r-2", new Reserve("o-1", 1));
        await UntilAsync(member.Board, sku, soldOut: true);

        await AcceptedAsync(stock, sku, "r-3", new Release("o-1"));
        await UntilAsync(member.Board, sku, soldOut: false);

        await AcceptedAsync(stock, sku, "r-4", new Reserve("o-2", 1));
        await UntilAsync(member.Board, sku, soldOut: true);
        await AcceptedAsync(stock, sku, "r-5", new Restock("Mug", 12.50m, "EUR", 2, null));
        await UntilAsync(member.Board, sku, soldOut: false);
        Assert.False(member.Board.IsSoldOut(NewId("sku")));
    }

    [Fact]
    public async Task Sold_out_published_on_one_member_reaches_the_other_and_so_does_a_restock()
    {
        await using var first = await ClusterMember.StartAsync(Formats, Journal.ConnectionString);
        await using var second = await ClusterMember.StartAsync(Formats, Journal.ConnectionString, seed: first);
        var sku = NewId("sku");
        var stock = StartStock(first, sku);

        await AcceptedAsync(stock, sku, "r-1", new Restock("Mug", 12.50m, "EUR", 1, null));
        await AcceptedAsync(stock, sku, "r-2", new Reserve("o-1", 1));
        await UntilAsync(second.Board, sku, soldOut: true);

        await AcceptedAsync(stock, sku, "r-3", new Restock("Mug", 12.50m, "EUR", 1, null));
        await UntilAsync(second.Board, sku, soldOut: false);
        await UntilAsync(first.Board, sku, soldOut: false);
    }

    [Fact]
    public async Task A_product_recovered_with_no_unit_available_goes_on_the_board()
    {
        var sku = NewId("sku");
        // Written by an incarnation that told no board, as if its node died before publishing.
        var writer = Sys.ActorOf(StockActor.PropsFor(sku, new EntityOptions(), Metrics, ActorRefs.Nobody));
        await AcceptedAsync(writer, sku, "r-1", new Restock("Mug", 12.50m, "EUR", 2, null));
        await AcceptedAsync(writer, sku, "r-2", new Reserve("o-1", 2));
        await StopAsync(writer);

        await using var member = await ClusterMember.StartAsync(Formats, Journal.ConnectionString);
        Assert.False(member.Board.IsSoldOut(sku));
        var recovered = StartStock(member, sku);
        recovered.Tell(new GetStock(sku), TestActor);
        Assert.Equal(0, (await ExpectMsgAsync<StockView>()).Available);
        await UntilAsync(member.Board, sku, soldOut: true);
    }

    private IActorRef StartStock(ClusterMember member, string sku) =>
        member.System.ActorOf(StockActor.PropsFor(sku, new EntityOptions(), Metrics, member.Replica));

    private async Task AcceptedAsync(IActorRef stock, string sku, string requestId, StockCommand command) =>
        Assert.IsType<StockCommandAccepted>(await SendAsync(stock, StockCommandParser.Envelope(sku, requestId, command)));

    private static Task UntilAsync(SoldOutBoard board, string sku, bool soldOut) =>
        NodeWait.UntilAsync(() => board.IsSoldOut(sku) == soldOut, Convergence,
            () => $"the board still says {sku} is {(soldOut ? "available" : "sold out")}");
}
