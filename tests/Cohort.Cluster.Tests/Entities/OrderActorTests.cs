using Akka.Actor;
using Akka.TestKit;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Entities.Orders;
using Cohort.Cluster.Entities.Stock;
using Cohort.Cluster.Tests.Support;
using Cohort.Domain;
using Cohort.Domain.Accounts;
using Cohort.Domain.Stock;
using Xunit.Abstractions;

namespace Cohort.Cluster.Tests.Entities;

/// <summary>
/// The order actor on a real journal, with test probes standing in for the stock and account regions: which step it
/// sends under which request id, when it sends it again, and how answers and deadlines move it.
/// </summary>
public sealed class OrderActorTests(JournalDatabase journal, ITestOutputHelper output) : ActorSpec(journal, output)
{
    private static readonly TimeSpan QuickRetry = TimeSpan.FromMilliseconds(300);

    /// <summary>Long enough that no step is sent again within a test unless a restart sends it.</summary>
    private static readonly TimeSpan NoRetry = TimeSpan.FromHours(1);

    private static readonly TimeSpan NoTimeout = TimeSpan.FromHours(1);

    [Fact]
    public async Task Placing_sends_the_reservation_and_its_answer_makes_the_order_await_payment()
    {
        var (o, stock, accounts) = (NewId("o"), CreateTestProbe(), CreateTestProbe());
        var order = StartOrder(o, stock, accounts, NoRetry, NoTimeout);

        var placed = Assert.IsType<OrderAccepted>(await SendAsync(order, Place(o, NoTimeout)));
        Assert.Equal("reserving", placed.Order.Status);
        var reserve = await ExpectStockAsync(stock, $"{o}:reserve");
        Assert.Equal(("mug-1", (StockCommand)new Reserve(o, 2)), (reserve.Sku, reserve.Command));

        order.Tell(Reserved($"{o}:reserve"), stock);
        var reserved = await AwaitReservationAsync(order, o);
        Assert.Equal(("awaiting_payment", 12.50m, 25m, "EUR"), (reserved.Order.Status, reserved.Order.Price, reserved.Order.Amount, reserved.Order.Asset));
        Assert.Equal(["order.placed.v1", "order.reserved.v1"], (await Journal.RowsAsync(OrderPid(o))).Select(r => r.Manifest));
        await stock.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task An_unanswered_step_is_sent_again_after_the_retry_interval()
    {
        var (o, stock, accounts) = (NewId("o"), CreateTestProbe(), CreateTestProbe());
        var order = StartOrder(o, stock, accounts, QuickRetry, NoTimeout);

        await SendAsync(order, Place(o, NoTimeout));
        var first = await ExpectStockAsync(stock, $"{o}:reserve");
        var again = await ExpectStockAsync(stock, $"{o}:reserve");
        Assert.Equal(first, again);

        order.Tell(Reserved($"{o}:reserve"), stock);
        await AwaitReservationAsync(order, o);
        // Once answered, the retry timer stops: nothing more arrives within several retry intervals.
        while (stock.HasMessages)
        {
            await ExpectStockAsync(stock, $"{o}:reserve");
        }
        await stock.ExpectNoMsgAsync(QuickRetry * 4);
    }

    [Fact]
    public async Task A_restarted_order_sends_its_pending_step_again()
    {
        var (o, stock, accounts) = (NewId("o"), CreateTestProbe(), CreateTestProbe());
        var first = StartOrder(o, stock, accounts, NoRetry, NoTimeout);
        await SendAsync(first, Place(o, NoTimeout));
        await ExpectStockAsync(stock, $"{o}:reserve");
        await StopAsync(first);

        var second = StartOrder(o, stock, accounts, NoRetry, NoTimeout);
        await ExpectStockAsync(stock, $"{o}:reserve");
        second.Tell(Reserved($"{o}:reserve"), stock);
        Assert.Equal("awaiting_payment", (await AwaitReservationAsync(second, o)).Order.Status);
    }

    [Fact]
    public async Task A_refused_freeze_answers_the_payer_and_the_next_payment_freezes_under_its_own_id()
    {
        var (o, stock, accounts) = (NewId("o"), CreateTestProbe(), CreateTestProbe());
        var order = await ReservedOrderAsync(o, stock, accounts, NoTimeout);

        order.Tell(new PayOrderRequest(o, "pay-1"), TestActor);
        var freeze = await ExpectAccountAsync(accounts, $"{o}:freeze");
        Assert.Equal(("alice", (AccountCommand)new Freeze("EUR", 25m)), (freeze.AccountId, freeze.Command));
        order.Tell(new CommandRejected(freeze.RequestId, RejectionCodes.InsufficientFunds, "available EUR is 0, 25 requested"), accounts);
        var refused = await ExpectMsgAsync<CommandRejected>();
        Assert.Equal(("pay-1", RejectionCodes.InsufficientFunds), (refused.RequestId, refused.Code));

        order.Tell(new PayOrderRequest(o, "pay-2"), TestActor);
        var second = await ExpectAccountAsync(accounts, $"{o}:freeze-2");
        Assert.Equal(new Freeze("EUR", 25m), second.Command);
        Assert.Equal(["order.placed.v1", "order.reserved.v1", "order.paymentStarted.v1", "order.paymentRefused.v1", "order.paymentStarted.v1"],
            (await Journal.RowsAsync(OrderPid(o))).Select(r => r.Manifest));
    }

    [Fact]
    public async Task A_paid_order_freezes_confirms_and_settles_in_turn()
    {
        var (o, stock, accounts) = (NewId("o"), CreateTestProbe(), CreateTestProbe());
        var order = await ReservedOrderAsync(o, stock, accounts, NoTimeout);

        order.Tell(new PayOrderRequest(o, "pay-1"), TestActor);
        order.Tell(Accepted(await ExpectAccountAsync(accounts, $"{o}:freeze")), accounts);
        Assert.Equal(new Confirm(o), (await ExpectStockAsync(stock, $"{o}:confirm")).Command);
        order.Tell(Reserved($"{o}:confirm"), stock);
        var settle = await ExpectAccountAsync(accounts, $"{o}:settle");
        Assert.Equal(new Settle("EUR", 25m), settle.Command);
        order.Tell(Accepted(settle), accounts);

        var paid = Assert.IsType<OrderAccepted>(await ExpectMsgAsync<CommandReply>());
        Assert.Equal(("pay-1", "paid"), (paid.RequestId, paid.Order.Status));
    }

    [Fact]
    public async Task The_deadline_timer_expires_an_unpaid_order_and_releases_its_units()
    {
        var (o, stock, accounts) = (NewId("o"), CreateTestProbe(), CreateTestProbe());
        var timeout = TimeSpan.FromSeconds(1);
        var order = StartOrder(o, stock, accounts, NoRetry, timeout);
        await SendAsync(order, Place(o, timeout));
        await ExpectStockAsync(stock, $"{o}:reserve");
        order.Tell(Reserved($"{o}:reserve"), stock);

        Assert.Equal(new Release(o), (await ExpectStockAsync(stock, $"{o}:release")).Command);
        order.Tell(Reserved($"{o}:release"), stock);
        await AwaitStatusAsync(order, o, "expired");
        Assert.Equal(["order.placed.v1", "order.reserved.v1", "order.releaseStarted.v1", "order.closed.v1"],
            (await Journal.RowsAsync(OrderPid(o))).Select(r => r.Manifest));
    }

    [Fact]
    public async Task A_check_after_the_deadline_expires_a_freshly_recovered_order()
    {
        var (o, stock, accounts) = (NewId("o"), CreateTestProbe(), CreateTestProbe());
        var timeout = TimeSpan.FromSeconds(2);
        var first = StartOrder(o, stock, accounts, NoRetry, timeout);
        await SendAsync(first, Place(o, timeout));
        await ExpectStockAsync(stock, $"{o}:reserve");
        first.Tell(Reserved($"{o}:reserve"), stock);
        await AwaitReservationAsync(first, o);
        await StopAsync(first);
        // No node holds the order while its deadline passes: nothing is released meanwhile.
        await stock.ExpectNoMsgAsync(timeout);

        var second = StartOrder(o, stock, accounts, NoRetry, timeout);
        second.Tell(new CheckOrder(o));
        await ExpectStockAsync(stock, $"{o}:release");
        Assert.Equal("releasing", (await GetAsync(second, o)).Status);
        Assert.Equal("order.releaseStarted.v1", (await Journal.RowsAsync(OrderPid(o)))[^1].Manifest);
    }

    private static string OrderPid(string orderId) => PersistenceIds.Of(OrderRegion.TypeName, orderId);

    private IActorRef StartOrder(string orderId, TestProbe stock, TestProbe accounts, TimeSpan stepRetry, TimeSpan paymentTimeout) =>
        Sys.ActorOf(OrderActor.PropsFor(orderId, stock.Ref, accounts.Ref, new OrderOptions { StepRetry = stepRetry, PaymentTimeout = paymentTimeout },
            new EntityOptions(), Metrics));

    private static OrderCommandEnvelope Place(string orderId, TimeSpan paymentTimeout) =>
        OrderCommandParser.Place(orderId, orderId, "alice", "mug-1", 2, flashSale: false, new OrderOptions { PaymentTimeout = paymentTimeout }, DateTime.UtcNow).Message!;

    private async Task<IActorRef> ReservedOrderAsync(string orderId, TestProbe stock, TestProbe accounts, TimeSpan paymentTimeout)
    {
        var order = StartOrder(orderId, stock, accounts, NoRetry, paymentTimeout);
        await SendAsync(order, Place(orderId, paymentTimeout));
        await ExpectStockAsync(stock, $"{orderId}:reserve");
        order.Tell(Reserved($"{orderId}:reserve"), stock);
        await AwaitReservationAsync(order, orderId);
        return order;
    }

    /// <summary>The stock's answer to a step, carrying the product's price as a real stock's does.</summary>
    private static StockCommandAccepted Reserved(string requestId) =>
        new(requestId, 1, new StockView("mug-1", true, "Mug", 12.50m, "EUR", null, 8, 2, 0));

    private static AccountCommandAccepted Accepted(AccountCommandEnvelope command) =>
        new(command.RequestId, command.AccountId, 1, "EUR", 0m, 25m);

    private static async Task<StockCommandEnvelope> ExpectStockAsync(TestProbe stock, string requestId)
    {
        var command = await stock.ExpectMsgAsync<StockCommandEnvelope>();
        Assert.Equal(requestId, command.RequestId);
        return command;
    }

    private static async Task<AccountCommandEnvelope> ExpectAccountAsync(TestProbe accounts, string requestId)
    {
        var command = await accounts.ExpectMsgAsync<AccountCommandEnvelope>();
        Assert.Equal(requestId, command.RequestId);
        return command;
    }

    private async Task<OrderAccepted> AwaitReservationAsync(IActorRef order, string orderId)
    {
        order.Tell(new AwaitReservation(orderId, orderId), TestActor);
        return Assert.IsType<OrderAccepted>(await ExpectMsgAsync<CommandReply>());
    }

    private async Task<OrderView> GetAsync(IActorRef order, string orderId)
    {
        order.Tell(new GetOrder(orderId), TestActor);
        return await ExpectMsgAsync<OrderView>();
    }

    private async Task AwaitStatusAsync(IActorRef order, string orderId, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((await GetAsync(order, orderId)).Status != status)
        {
            Assert.True(DateTime.UtcNow < deadline, $"order {orderId} never became {status}");
            await Task.Delay(50);
        }
    }
}
