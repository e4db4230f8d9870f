using Akka.Actor;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Entities.Orders;
using Cohort.Cluster.Entities.Stock;
using Cohort.Cluster.Persistence;
using Cohort.Cluster.Singletons;
using Cohort.Cluster.Tests.Support;
using Cohort.Domain;
using Cohort.Domain.Accounts;
using Cohort.Domain.Orders;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Cohort.Cluster.Tests.Singletons;

/// <summary>
/// Reconciliation of the orders of a shop a node ran: a whole shop agrees, and each kind of damage is found and
/// named. The journal checks are shown with an order's journal forged beside the real ones (the forged order is
/// what is wrong: the real stock and accounts never saw it), the orders-table checks with rows written behind the
/// node's back. Each test removes its damage after, since the class's tests share one database.
/// </summary>
[Collection(InProcessNodeCollection.Name)]
public sealed class OrderReconciliationTests(OrderReconciliationTests.Node fixture, ITestOutputHelper output)
    : IClassFixture<OrderReconciliationTests.Node>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StuckAfter = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan OrderMargin = TimeSpan.FromMinutes(5);
    private static readonly string[] Projections = ["reporting", "orders"];

    public sealed class Node() : InProcessNodeFixture("order-reconciliation")
    {
        // No periodic runs: only the tests' own.
        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            ["Cohort:Reconciliation:Interval"] = "01:00:00",
            ["Cohort:Reconciliation:FullInterval"] = "1.00:00:00",
        };
    }

    private Reconciler Reconciler => new(fixture.Database.DataSource);

    [Fact]
    public async Task A_shop_the_node_ran_has_no_mismatch()
    {
        output.WriteLine($"node log: {fixture.Node.LogPath}");
        var shop = await OpenShopAsync("ok");

        var full = await RunAsync(ReconciliationScope.Full);
        Assert.Empty(full.Mismatches);
        Assert.Empty((await RunAsync(ReconciliationScope.Totals)).Mismatches);
        output.WriteLine($"shop {shop.Sku}: {full.Records} account records at ordering {full.Offset}");
    }

    [Fact]
    public async Task A_paid_order_the_stock_never_sold_units_for_is_found_by_a_full_run()
    {
        var shop = await OpenShopAsync("sold");
        var ghost = $"ghost-{NodeIds.Run()}";
        await ForgeOrderAsync(ghost,
        [
            new OrderPlaced(new OrderTerms(shop.Buyer, shop.Sku, 3), DateTime.UtcNow, DateTime.UtcNow.AddMinutes(15)),
            new OrderReserved(shop.Price, shop.Asset), new PaymentStarted(1), new FundsFrozen(), new UnitsSold(), new OrderPaid(),
        ], async () =>
        {
            var full = await RunAsync(ReconciliationScope.Full);
            var sold = Assert.Single(full.Mismatches, m => m.Kind == "sold_mismatch");
            Assert.Equal(shop.Sku, sold.Subject);
            Assert.Equal("the stock sold 4 units, paid orders bought 7 (orders being paid left out)", sold.Detail);
            // Nor did its account pay for it.
            Assert.Contains(full.Mismatches, m => (m.Kind, m.Subject) == ("order_funds_mismatch", ghost));
            Assert.DoesNotContain((await RunAsync(ReconciliationScope.Totals)).Mismatches, m => m.Kind == "sold_mismatch");
        });
    }

    [Fact]
    public async Task Funds_spent_for_an_order_that_was_not_paid_are_found_by_a_full_run()
    {
        var shop = await OpenShopAsync("funds");
        var ghost = $"ghost-{NodeIds.Run()}";
        // The account really froze and spent money under the order's step ids: the order says it was cancelled.
        Assert.IsType<AccountCommandAccepted>(await fixture.Node.AccountAsync(shop.Buyer, OrderSteps.RequestId(ghost, OrderStep.Freeze, 1),
            new Freeze(shop.Asset, 2 * shop.Price)));
        Assert.IsType<AccountCommandAccepted>(await fixture.Node.AccountAsync(shop.Buyer, OrderSteps.RequestId(ghost, OrderStep.Settle, 1),
            new Settle(shop.Asset, 2 * shop.Price)));
        await ForgeOrderAsync(ghost,
        [
            new OrderPlaced(new OrderTerms(shop.Buyer, $"{shop.Sku}-other", 2), DateTime.UtcNow, DateTime.UtcNow.AddMinutes(15)),
            new OrderReserved(shop.Price, shop.Asset), new ReleaseStarted(Expired: false), new OrderClosed(Expired: false),
        ], async () =>
        {
            var full = await RunAsync(ReconciliationScope.Full);
            var mismatch = Assert.Single(full.Mismatches);
            Assert.Equal(("order_funds_mismatch", ghost), (mismatch.Kind, mismatch.Subject));
            Assert.Equal("cancelled order of 5.00: 1 freezes of 5.00 in all, 1 settlements of 5.00, 0 unfreezes of 0", mismatch.Detail);
            Assert.Empty((await RunAsync(ReconciliationScope.Totals)).Mismatches);
        });
    }

    [Fact]
    public async Task Orders_still_open_a_margin_after_their_deadline_are_reported_stuck()
    {
        var shop = await OpenShopAsync("stuck");
        var run = NodeIds.Run();
        var (awaiting, paying, recent, paid) = ($"stuck-{run}-awaiting", $"stuck-{run}-paying", $"stuck-{run}-recent", $"stuck-{run}-paid");
        await TamperAsync(
            ("""
                INSERT INTO orders (order_id, account_id, sku, quantity, status, placed_at, deadline, seq_nr, updated_at) VALUES
                    ($1, $5, $6, 1, 'awaiting_payment', now() - interval '1 hour', now() - interval '30 minutes', 2, now()),
                    ($2, $5, $6, 1, 'paying', now() - interval '1 hour', now() - interval '6 minutes', 3, now()),
                    ($3, $5, $6, 1, 'awaiting_payment', now() - interval '16 minutes', now() - interval '1 minute', 2, now()),
                    ($4, $5, $6, 1, 'paid', now() - interval '1 hour', now() - interval '30 minutes', 6, now())
                """, [awaiting, paying, recent, paid, shop.Buyer, shop.Sku]),
            ("DELETE FROM orders WHERE order_id IN ($1, $2, $3, $4)", [awaiting, paying, recent, paid]),
            async () =>
            {
                var totals = await RunAsync(ReconciliationScope.Totals);
                Assert.Equal([awaiting, paying], totals.Mismatches.Where(m => m.Kind == "stuck_order").Select(m => m.Subject));
                Assert.StartsWith("awaiting_payment ", totals.Mismatches.First(m => m.Subject == awaiting).Detail);
                Assert.Equal(2, totals.Mismatches.Count);
            });
    }

    [Fact]
    public async Task A_failed_order_is_reported_on_every_run()
    {
        var shop = await OpenShopAsync("failed");
        var failed = $"failed-{NodeIds.Run()}";
        await TamperAsync(
            ("""
                INSERT INTO orders (order_id, account_id, sku, quantity, status, reason, placed_at, deadline, seq_nr, updated_at)
                VALUES ($1, $2, $3, 1, 'failed', 'the account refused to spend the frozen funds', now(), now() + interval '15 minutes', 7, now())
                """, [failed, shop.Buyer, shop.Sku]),
            ("DELETE FROM orders WHERE order_id = $1", [failed]),
            async () =>
            {
                var totals = await RunAsync(ReconciliationScope.Totals);
                var mismatch = Assert.Single(totals.Mismatches);
                Assert.Equal(("failed_order", failed, "the account refused to spend the frozen funds"), (mismatch.Kind, mismatch.Subject, mismatch.Detail));
            });
    }

    private Task<ReconciliationReport> RunAsync(ReconciliationScope scope) => Reconciler.RunAsync(scope, StuckAfter, OrderMargin, CancellationToken.None);

    private sealed record Shop(string Sku, string Buyer, string Asset, decimal Price);

    /// <summary>
    /// A product of the test's own and its orders, through the node's entities: one paid, one paid on a second
    /// attempt after the first found too little money, one cancelled, one refused as sold out, one awaiting payment.
    /// The stock has sold 4 units; the projections have handled it all.
    /// </summary>
    private async Task<Shop> OpenShopAsync(string name)
    {
        var node = fixture.Node;
        var run = NodeIds.Run();
        var shop = new Shop($"{name}-{run}-sku", $"{name}-{run}-buyer", NodeIds.Asset(name.ToUpperInvariant()[..1]), 2.50m);
        string Order(string n) => $"{name}-{run}-{n}";
        Assert.IsType<StockCommandAccepted>(await node.RestockAsync(shop.Sku, "r-1", shop.Price, shop.Asset, 10));
        Assert.IsType<AccountCommandAccepted>(await node.AccountAsync(shop.Buyer, "d-1", new Deposit(shop.Asset, 6m)));

        Assert.IsType<OrderAccepted>(await node.PlaceOrderAsync(Order("paid"), shop.Buyer, shop.Sku, 2));
        Assert.Equal("paid", Assert.IsType<OrderAccepted>(await node.PayOrderAsync(Order("paid"), "pay-1")).Order.Status);
        Assert.IsType<OrderAccepted>(await node.PlaceOrderAsync(Order("retried"), shop.Buyer, shop.Sku, 2));
        Assert.Equal(RejectionCodes.InsufficientFunds, Assert.IsType<CommandRejected>(await node.PayOrderAsync(Order("retried"), "pay-1")).Code);
        Assert.IsType<AccountCommandAccepted>(await node.AccountAsync(shop.Buyer, "d-2", new Deposit(shop.Asset, 10m)));
        Assert.Equal("paid", Assert.IsType<OrderAccepted>(await node.PayOrderAsync(Order("retried"), "pay-2")).Order.Status);
        Assert.IsType<OrderAccepted>(await node.PlaceOrderAsync(Order("cancelled"), shop.Buyer, shop.Sku, 1));
        Assert.Equal("cancelled", Assert.IsType<OrderAccepted>(await node.CancelOrderAsync(Order("cancelled"))).Order.Status);
        Assert.Equal(RejectionCodes.SoldOut, Assert.IsType<CommandRejected>(await node.PlaceOrderAsync(Order("rejected"), shop.Buyer, shop.Sku, 9)).Code);
        Assert.Equal("awaiting_payment", Assert.IsType<OrderAccepted>(await node.PlaceOrderAsync(Order("open"), shop.Buyer, shop.Sku, 1)).Order.Status);
        Assert.Equal((5L, 1L, 4L), await UnitsAsync(shop.Sku));
        await fixture.Database.WaitForProjectionsAsync(Timeout, Projections);
        return shop;
    }

    private async Task<(long Available, long Reserved, long Sold)> UnitsAsync(string sku)
    {
        var product = await fixture.Node.ProductAsync(sku);
        return (product.Available, product.Reserved, product.Sold);
    }

    /// <summary>
    /// Writes an order's journal as its entity would (the node's own serializer), lets the projections handle it,
    /// checks, then removes the journal and its row of the orders table whatever the check found.
    /// </summary>
    private async Task ForgeOrderAsync(string orderId, OrderEvent[] events, Func<Task> check)
    {
        var persistenceId = PersistenceIds.Of(OrderRegion.TypeName, orderId);
        var serializer = new CohortSerializer((ExtendedActorSystem)fixture.Node.System, fixture.Node.Services.GetRequiredService<MessageFormats>());
        try
        {
            for (var i = 0; i < events.Length; i++)
            {
                var record = new OrderRecord(new Stamp($"{orderId}:forged-{i}", RequestHash.Of($"forged {i}"), DateTime.UtcNow), events[i]);
                await fixture.Database.ExecuteAsync("""
                    INSERT INTO event_journal (created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid)
                    VALUES ($1, false, $2, $3, $4, $5, $6, 'forged')
                    """, DateTime.UtcNow.Ticks, persistenceId, (long)i + 1, serializer.ToBinary(record), serializer.Manifest(record), CohortSerializer.Id);
            }
            await fixture.Database.WaitForProjectionsAsync(Timeout, Projections);
            await check();
        }
        finally
        {
            await fixture.Database.ExecuteAsync("DELETE FROM event_journal WHERE persistence_id = $1", persistenceId);
            await fixture.Database.ExecuteAsync("DELETE FROM orders WHERE order_id = $1", orderId);
        }
    }

    /// <summary>Damages the orders table, checks, and repairs it whatever the check found.</summary>
    private async Task TamperAsync((string Sql, object[] Args) damage, (string Sql, object[] Args) repair, Func<Task> check)
    {
        Assert.True(await fixture.Database.ExecuteAsync(damage.Sql, damage.Args) > 0, $"no row damaged by {damage.Sql}");
        try
        {
            await check();
        }
        finally
        {
            await fixture.Database.ExecuteAsync(repair.Sql, repair.Args);
        }
    }
}
