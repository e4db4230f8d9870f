using Akka.Actor;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Stock;
using Cohort.Cluster.FlashSales;
using Cohort.Cluster.Tests.Support;
using Cohort.Domain;
using Cohort.Domain.Stock;
using Xunit.Abstractions;

namespace Cohort.Cluster.Tests.Entities;

/// <summary>
/// A product hosted by its actor on a real journal: answered only once written, recovered from its journal and its
/// snapshots, and idempotent by request id, refusals included.
/// </summary>
public sealed class StockActorTests(JournalDatabase journal, ITestOutputHelper output) : ActorSpec(journal, output)
{
    private static readonly Restock Mugs = new("Mug", 12.50m, "EUR", 10, "kitchen");

    private IActorRef StartStock(string sku, EntityOptions? options = null, IActorRef? soldOutBoard = null) =>
        Sys.ActorOf(StockActor.PropsFor(sku, options ?? new EntityOptions(), Metrics, soldOutBoard ?? ActorRefs.Nobody));

    private static string StockPid(string sku) => PersistenceIds.Of(StockRegion.TypeName, sku);

    private static StockCommandEnvelope Command(string sku, string requestId, StockCommand command) =>
        StockCommandParser.Envelope(sku, requestId, command);

    private async Task<StockView> ViewAsync(IActorRef stock, string sku)
    {
        stock.Tell(new GetStock(sku), TestActor);
        return await ExpectMsgAsync<StockView>();
    }

    [Fact]
    public async Task A_restock_is_written_then_answered_with_the_product()
    {
        var sku = NewId("sku");
        var stock = StartStock(sku);
        Assert.False((await ViewAsync(stock, sku)).Exists);

        var accepted = Assert.IsType<StockCommandAccepted>(await SendAsync(stock, Command(sku, "r-1", Mugs)));

        Assert.Equal(new StockCommandAccepted("r-1", 1, new StockView(sku, true, "Mug", 12.50m, "EUR", "kitchen", 10, 0, 0)), accepted);
        var row = Assert.Single(await Journal.RowsAsync(StockPid(sku)));
        Assert.Equal(("stock.created.v1", "Mug", "12.50"), (row.Manifest, row.Text("name"), row.Text("price")));
        Assert.Equal(accepted.Product, await ViewAsync(stock, sku));
    }

    [Fact]
    public async Task A_restarted_product_recovers_its_units_details_and_reservations()
    {
        var sku = NewId("sku");
        var stock = StartStock(sku);
        StockCommand[] commands =
        [
            Mugs, new Reserve("o-1", 3), new Reserve("o-2", 4), new Confirm("o-1"), new Restock("Mug", 12.50m, "EUR", 5, null),
            new Release("o-2"), new Reserve("o-3", 2), new ChangeDetails("Big mug", 14m, null),
        ];
        for (var i = 0; i < commands.Length; i++)
        {
            Assert.IsType<StockCommandAccepted>(await SendAsync(stock, Command(sku, $"r-{i}", commands[i])));
        }
        var before = await ViewAsync(stock, sku);
        Assert.Equal(new StockView(sku, true, "Big mug", 14m, "EUR", "kitchen", 10, 2, 3), before);

        await StopAsync(stock);
        var again = StartStock(sku);
        Assert.Equal(before, await ViewAsync(again, sku));
        // The reservation came back too: o-3 can be confirmed, o-2 (released) cannot.
        Assert.IsType<StockCommandAccepted>(await SendAsync(again, Command(sku, "r-confirm-3", new Confirm("o-3"))));
        var rejected = Assert.IsType<CommandRejected>(await SendAsync(again, Command(sku, "r-confirm-2", new Confirm("o-2"))));
        Assert.Equal(RejectionCodes.ReservationNotFound, rejected.Code);
    }

    [Fact]
    public async Task A_snapshot_keeps_the_product_and_its_first_answers()
    {
        var sku = NewId("sku");
        var options = new EntityOptions { SnapshotEvery = 5 };
        var stock = StartStock(sku, options);
        var commands = new List<StockCommandEnvelope> { Command(sku, "r-0", Mugs) };
        for (var i = 1; i < 12; i++)
        {
            commands.Add(Command(sku, $"r-{i}", i % 2 == 1 ? new Reserve($"o-{i}", 2) : new Release($"o-{i - 1}")));
        }
        var first = new List<CommandReply>();
        foreach (var command in commands)
        {
            first.Add(await SendAsync(stock, command));
        }
        await AwaitAssertAsync(async () => Assert.Equal(10, (await Journal.SnapshotsAsync(StockPid(sku))).Last().SeqNr));
        var before = await ViewAsync(stock, sku);
        await StopAsync(stock);
        Assert.Equal("stock.snapshot.v1", (await Journal.SnapshotsAsync(StockPid(sku))).Last().Manifest);

        var again = StartStock(sku, options);
        Assert.Equal(before, await ViewAsync(again, sku));
        foreach (var (command, answer) in commands.Zip(first))
        {
            Assert.Equal(answer, await SendAsync(again, command));
        }
        Assert.Equal(commands.Count, (await Journal.RowsAsync(StockPid(sku))).Count);
    }

    [Fact]
    public async Task A_repeated_request_id_gets_its_first_answer_and_a_different_command_under_it_a_conflict()
    {
        var sku = NewId("sku");
        var stock = StartStock(sku);
        var restock = Command(sku, "r-1", Mugs);
        var first = await SendAsync(stock, restock);
        Assert.IsType<StockCommandAccepted>(await SendAsync(stock, Command(sku, "r-2", new Reserve("o-1", 4))));

        // The product moved on; the answer to r-1 did not, and nothing was written for the replay.
        Assert.Equal(first, await SendAsync(stock, restock));
        Assert.Equal(first, await SendAsync(stock, Command(sku, "r-1", Mugs with { Price = 12.5000m })));
        var conflict = Assert.IsType<CommandRejected>(await SendAsync(stock, Command(sku, "r-1", Mugs with { AddStock = 11 })));
        Assert.Equal(RejectionCodes.IdempotencyConflict, conflict.Code);
        Assert.Equal(2, (await Journal.RowsAsync(StockPid(sku))).Count);

        await StopAsync(stock);
        var again = StartStock(sku);
        Assert.Equal(first, await SendAsync(again, restock));
        Assert.Equal(RejectionCodes.IdempotencyConflict,
            Assert.IsType<CommandRejected>(await SendAsync(again, Command(sku, "r-1", new Reserve("o-1", 1)))).Code);
    }

    [Fact]
    public async Task A_sold_out_refusal_is_remembered_under_its_request_id()
    {
        var sku = NewId("sku");
        var stock = StartStock(sku);
        await SendAsync(stock, Command(sku, "r-1", Mugs));
        var reserve = Command(sku, "r-2", new Reserve("o-1", 11));

        var refused = Assert.IsType<CommandRejected>(await SendAsync(stock, reserve));
        Assert.Equal(RejectionCodes.SoldOut, refused.Code);
        Assert.Equal("refused.v1", (await Journal.RowAsync(StockPid(sku), 2))!.Manifest);

        // Enough units now, but r-2 was answered: its answer stays sold_out, before and after a restart.
        Assert.IsType<StockCommandAccepted>(await SendAsync(stock, Command(sku, "r-3", new Restock("Mug", 12.50m, "EUR", 5, null))));
        Assert.Equal(refused, await SendAsync(stock, reserve));
        await StopAsync(stock);
        var again = StartStock(sku);
        Assert.Equal(refused, await SendAsync(again, reserve));
        Assert.Equal(15, (await ViewAsync(again, sku)).Available);
        Assert.IsType<StockCommandAccepted>(await SendAsync(again, Command(sku, "r-4", new Reserve("o-1", 11))));
    }

    [Fact]
    public async Task The_board_is_told_each_turn_between_sold_out_and_available_at_its_sequence_number()
    {
        var sku = NewId("sku");
        var board = CreateTestProbe();
        var stock = StartStock(sku, soldOutBoard: board);
        StockCommand[] commands =
        [
            new Restock("Mug", 12.50m, "EUR", 2, null), new Reserve("o-1", 1), new Reserve("o-2", 1), new Reserve("o-3", 1),
            new Release("o-1"), new Confirm("o-2"), new Reserve("o-4", 1), new Restock("Mug", 12.50m, "EUR", 3, null),
        ];
        for (var i = 0; i < commands.Length; i++)
        {
            await SendAsync(stock, Command(sku, $"r-{i}", commands[i]));
        }

        // Seq 1 available (created), 3 sold out, 4 refused (still sold out: nothing), 5 released, 7 the last unit, 8 restocked.
        Assert.Equal(new AvailabilityChanged(sku, 1, false), await board.ExpectMsgAsync<AvailabilityChanged>());
        Assert.Equal(new AvailabilityChanged(sku, 3, true), await board.ExpectMsgAsync<AvailabilityChanged>());
        Assert.Equal(new AvailabilityChanged(sku, 5, false), await board.ExpectMsgAsync<AvailabilityChanged>());
        Assert.Equal(new AvailabilityChanged(sku, 7, true), await board.ExpectMsgAsync<AvailabilityChanged>());
        Assert.Equal(new AvailabilityChanged(sku, 8, false), await board.ExpectMsgAsync<AvailabilityChanged>());
        await board.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task A_recovered_product_tells_the_board_its_state_and_one_never_created_tells_nothing()
    {
        var sku = NewId("sku");
        var stock = StartStock(sku);
        await SendAsync(stock, Command(sku, "r-1", new Restock("Mug", 12.50m, "EUR", 1, null)));
        await SendAsync(stock, Command(sku, "r-2", new Reserve("o-1", 1)));
        await StopAsync(stock);

        var board = CreateTestProbe();
        var again = StartStock(sku, soldOutBoard: board);
        Assert.Equal(new AvailabilityChanged(sku, 2, true), await board.ExpectMsgAsync<AvailabilityChanged>());
        await SendAsync(again, Command(sku, "r-3", new Release("o-1")));
        Assert.Equal(new AvailabilityChanged(sku, 3, false), await board.ExpectMsgAsync<AvailabilityChanged>());

        var missing = NewId("sku");
        var nobody = CreateTestProbe();
        var absent = StartStock(missing, soldOutBoard: nobody);
        Assert.False((await ViewAsync(absent, missing)).Exists);
        Assert.Equal(RejectionCodes.NotFound,
            Assert.IsType<CommandRejected>(await SendAsync(absent, Command(missing, "r-1", new Reserve("o-1", 1)))).Code);
        await nobody.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }
}
