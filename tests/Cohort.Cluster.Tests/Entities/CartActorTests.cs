using Akka.Actor;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Carts;
using Cohort.Cluster.Tests.Support;
using Cohort.Domain;
using Cohort.Domain.Carts;
using Xunit.Abstractions;

namespace Cohort.Cluster.Tests.Entities;

/// <summary>
/// An account's cart hosted by its actor on a real journal: answered only once written, recovered from its journal
/// and its snapshots, idempotent by request id, and a checkout's orders remembered under its request id.
/// </summary>
public sealed class CartActorTests(JournalDatabase journal, ITestOutputHelper output) : ActorSpec(journal, output)
{
    private static readonly SetCart Mugs = Set(("mug-1", 2), ("cup-1", 1));

    private static SetCart Set(params (string Sku, long Quantity)[] lines) =>
        new(new ValueList<CartLine>(lines.Select(l => new CartLine(l.Sku, l.Quantity))));

    private static ValueList<CartLine> Lines(params (string Sku, long Quantity)[] lines) => Set(lines).Lines;

    private IActorRef StartCart(string accountId, EntityOptions? options = null) =>
        Sys.ActorOf(CartActor.PropsFor(accountId, options ?? new EntityOptions(), Metrics));

    private static string CartPid(string accountId) => PersistenceIds.Of(CartRegion.TypeName, accountId);

    private static CartCommandEnvelope Command(string accountId, string requestId, CartCommand command) =>
        CartCommandParser.Envelope(accountId, requestId, command);

    private static CartCommandEnvelope Checkout(string accountId, string requestId) => Command(accountId, requestId, new CheckOut(requestId));

    private async Task<CartView> ViewAsync(IActorRef cart, string accountId)
    {
        cart.Tell(new GetCart(accountId), TestActor);
        return await ExpectMsgAsync<CartView>();
    }

    [Fact]
    public async Task Lines_are_written_then_answered_with_the_cart()
    {
        var accountId = NewId("alice");
        var cart = StartCart(accountId);
        Assert.Equal(new CartView(accountId, ValueList<CartLine>.Empty), await ViewAsync(cart, accountId));

        var accepted = Assert.IsType<CartCommandAccepted>(await SendAsync(cart, Command(accountId, "r-1", Mugs)));

        Assert.Equal(new CartCommandAccepted("r-1", 1, new CartView(accountId, Lines(("cup-1", 1), ("mug-1", 2))), null), accepted);
        var row = Assert.Single(await Journal.RowsAsync(CartPid(accountId)));
        Assert.Equal("cart.linesSet.v1", row.Manifest);
        Assert.Equal(accepted.Cart, await ViewAsync(cart, accountId));

        Assert.IsType<CartCommandAccepted>(await SendAsync(cart, Command(accountId, "r-2", new ClearCart())));
        Assert.Empty((await ViewAsync(cart, accountId)).Lines);
        Assert.Equal("cart.cleared.v1", (await Journal.RowAsync(CartPid(accountId), 2))!.Manifest);
    }

    [Fact]
    public async Task A_restarted_cart_recovers_its_lines()
    {
        var accountId = NewId("alice");
        var cart = StartCart(accountId);
        CartCommand[] commands = [Mugs, new ClearCart(), Set(("plate-1", 4), ("mug-1", 1)), Set(("plate-1", 5), ("bowl-1", 3))];
        for (var i = 0; i < commands.Length; i++)
        {
            Assert.IsType<CartCommandAccepted>(await SendAsync(cart, Command(accountId, $"r-{i}", commands[i])));
        }
        var before = await ViewAsync(cart, accountId);
        Assert.Equal(Lines(("bowl-1", 3), ("plate-1", 5)), before.Lines);

        await StopAsync(cart);
        Assert.Equal(before, await ViewAsync(StartCart(accountId), accountId));
    }

    [Fact]
    public async Task A_snapshot_keeps_the_cart_and_its_first_answers()
    {
        var accountId = NewId("alice");
        var options = new EntityOptions { SnapshotEvery = 5 };
        var cart = StartCart(accountId, options);
        var commands = new List<CartCommandEnvelope>();
        for (var i = 0; i < 12; i++)
        {
            commands.Add(i % 4 == 3 ? Checkout(accountId, $"r-{i}") : Command(accountId, $"r-{i}", Set(($"sku-{i}", i + 1), ("mug-1", 1))));
        }
        var first = new List<CommandReply>();
        foreach (var command in commands)
        {
            first.Add(await SendAsync(cart, command));
        }
        await AwaitAssertAsync(async () => Assert.Equal(10, (await Journal.SnapshotsAsync(CartPid(accountId))).Last().SeqNr));
        var before = await ViewAsync(cart, accountId);
        await StopAsync(cart);
        Assert.Equal("cart.snapshot.v1", (await Journal.SnapshotsAsync(CartPid(accountId))).Last().Manifest);

        var again = StartCart(accountId, options);
        Assert.Equal(before, await ViewAsync(again, accountId));
        foreach (var (command, answer) in commands.Zip(first))
        {
            Assert.Equal(answer, await SendAsync(again, command));
        }
        Assert.Equal(commands.Count, (await Journal.RowsAsync(CartPid(accountId))).Count);
    }

    [Fact]
    public async Task A_repeated_request_id_gets_its_first_answer_and_a_different_command_under_it_a_conflict()
    {
        var accountId = NewId("alice");
        var cart = StartCart(accountId);
        var set = Command(accountId, "r-1", Mugs);
        var first = await SendAsync(cart, set);
        Assert.IsType<CartCommandAccepted>(await SendAsync(cart, Command(accountId, "r-2", new ClearCart())));

        // The cart moved on; the answer to r-1 did not, and nothing was written for the replays.
        Assert.Equal(first, await SendAsync(cart, set));
        Assert.Equal(first, await SendAsync(cart, Command(accountId, "r-1", Set(("cup-1", 1), ("mug-1", 2)))));
        Assert.Empty((await ViewAsync(cart, accountId)).Lines);
        var conflict = Assert.IsType<CommandRejected>(await SendAsync(cart, Command(accountId, "r-1", Set(("mug-1", 3)))));
        Assert.Equal(RejectionCodes.IdempotencyConflict, conflict.Code);
        Assert.Equal(RejectionCodes.IdempotencyConflict, Assert.IsType<CommandRejected>(await SendAsync(cart, Checkout(accountId, "r-2"))).Code);
        Assert.Equal(2, (await Journal.RowsAsync(CartPid(accountId))).Count);

        await StopAsync(cart);
        var again = StartCart(accountId);
        Assert.Equal(first, await SendAsync(again, set));
        Assert.Equal(RejectionCodes.IdempotencyConflict,
            Assert.IsType<CommandRejected>(await SendAsync(again, Command(accountId, "r-1", new ClearCart()))).Code);
    }

    [Fact]
    public async Task A_checkout_empties_the_cart_and_its_orders_are_remembered_under_its_request_id()
    {
        var accountId = NewId("alice");
        var cart = StartCart(accountId);
        Assert.IsType<CartCommandAccepted>(await SendAsync(cart, Command(accountId, "r-1", Mugs)));
        var checkout = Checkout(accountId, "c-1");

        var accepted = Assert.IsType<CartCommandAccepted>(await SendAsync(cart, checkout));

        var orders = new ValueList<CartOrder>([
            new CartOrder(Cart.OrderId(accountId, "c-1", "cup-1"), "cup-1", 1), new CartOrder(Cart.OrderId(accountId, "c-1", "mug-1"), "mug-1", 2)]);
        Assert.Equal(new CartCommandAccepted("c-1", 2, new CartView(accountId, ValueList<CartLine>.Empty), orders), accepted);
        Assert.Equal("cart.checkedOut.v1", (await Journal.RowAsync(CartPid(accountId), 2))!.Manifest);
        Assert.Empty((await ViewAsync(cart, accountId)).Lines);

        // New lines after the checkout: its request id still answers the same orders, before and after a restart, and
        // a new checkout id orders the new lines.
        Assert.IsType<CartCommandAccepted>(await SendAsync(cart, Command(accountId, "r-2", Set(("plate-1", 4)))));
        Assert.Equal(accepted, await SendAsync(cart, checkout));
        await StopAsync(cart);
        var again = StartCart(accountId);
        Assert.Equal(accepted, await SendAsync(again, checkout));
        Assert.Equal(Lines(("plate-1", 4)), (await ViewAsync(again, accountId)).Lines);
        var second = Assert.IsType<CartCommandAccepted>(await SendAsync(again, Checkout(accountId, "c-2")));
        Assert.Equal(new ValueList<CartOrder>([new CartOrder(Cart.OrderId(accountId, "c-2", "plate-1"), "plate-1", 4)]), second.Orders);
        Assert.Equal(4, (await Journal.RowsAsync(CartPid(accountId))).Count);
    }

    [Fact]
    public async Task An_empty_cart_refuses_a_checkout_and_remembers_the_refusal()
    {
        var accountId = NewId("alice");
        var cart = StartCart(accountId);
        var checkout = Checkout(accountId, "c-1");

        var refused = Assert.IsType<CommandRejected>(await SendAsync(cart, checkout));
        Assert.Equal(RejectionCodes.CartEmpty, refused.Code);
        Assert.Equal("refused.v1", (await Journal.RowAsync(CartPid(accountId), 1))!.Manifest);

        // Lines now, but c-1 was answered: it stays cart_empty, and the lines stay in the cart.
        Assert.IsType<CartCommandAccepted>(await SendAsync(cart, Command(accountId, "r-1", Mugs)));
        Assert.Equal(refused, await SendAsync(cart, checkout));
        Assert.Equal(2, (await ViewAsync(cart, accountId)).Lines.Count);
    }

    [Fact]
    public async Task Invalid_lines_are_refused_and_leave_the_cart_as_it_was()
    {
        var accountId = NewId("alice");
        var cart = StartCart(accountId);
        Assert.IsType<CartCommandAccepted>(await SendAsync(cart, Command(accountId, "r-1", Mugs)));

        var refused = Assert.IsType<CommandRejected>(await SendAsync(cart, Command(accountId, "r-2", Set(("mug-1", 1), ("mug-1", 2)))));
        Assert.Equal(RejectionCodes.ValidationFailed, refused.Code);
        Assert.Equal(Lines(("cup-1", 1), ("mug-1", 2)), (await ViewAsync(cart, accountId)).Lines);
    }
}
