using System.Text;
using Akka.Serialization;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Entities.Carts;
using Cohort.Cluster.Entities.Orders;
using Cohort.Cluster.Entities.Stock;
using Cohort.Cluster.Entities.Transfers;
using Cohort.Cluster.Entities.Users;
using Cohort.Cluster.Persistence;
using Cohort.Cluster.Singletons;
using Cohort.Cluster.Tests.Support;
using Cohort.Domain;
using Cohort.Domain.Accounts;
using Cohort.Domain.Carts;
using Cohort.Domain.Orders;
using Cohort.Domain.Stock;
using Cohort.Domain.Transfers;
using Cohort.Domain.Users;
using Xunit.Abstractions;

namespace Cohort.Cluster.Tests.Persistence;

/// <summary>
/// The serializer as a node's ActorSystem binds it: every Cohort message goes through it and comes back the same,
/// and the journal's JSON is pinned byte for byte, because rows written today are read for as long as the journal lives.
/// </summary>
public sealed class CohortSerializerTests(JournalDatabase journal, ITestOutputHelper output) : ActorSpec(journal, output)
{
    private static readonly Stamp Stamp = new("r-1", RequestHash.Of("golden"), new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc).AddTicks(1234567));

    private static readonly TransferTerms Terms = new("alice", "bob", "USDT", 30.50m);

    private static readonly OrderTerms OrderTerms = new("alice", "mug-1", 2);

    private static readonly DateTime PlacedAt = new(2024, 5, 6, 7, 0, 0, DateTimeKind.Utc);

    private static readonly OrderState PayingOrder = new("flash:mug-1:alice", OrderStatus.Confirming, OrderTerms, PlacedAt, PlacedAt.AddMinutes(15),
        "EUR", 12.50m, 2, null);

    private static readonly OrderAccepted OrderAnswer = new("o-1:pay-2", OrderView.Of(PayingOrder));

    private static readonly OrderCommandEnvelope PlaceCommand = OrderCommandParser.Place("o-1", "o-1", "alice", "mug-1", 2, flashSale: true,
        new OrderOptions { PaymentTimeout = TimeSpan.FromMinutes(15) }, PlacedAt).Message!;
    private static readonly DateTime At = new(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc);

    private static readonly LockoutPolicy Policy = new(5, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(15));

    public static TheoryData<string, object> Messages()
    {
        var accepted = new AccountCommandAccepted("r-1", "alice", 7, "USDT", 110.50m, 20m);
        var rejected = new CommandRejected("r-2", "insufficient_funds", "available USDT is 5, 10 requested");
        var after = new AssetBalance(110.50m, 20m);
        var state = AccountState.Empty("alice").With("USDT", after).With("BTC", new AssetBalance(0.000000000000000001m, 0m));
        var units = new StockUnits(12, 3, 0);
        var product = StockState.Empty("mug-1") with
        {
            Exists = true, Name = "Mug", Price = 12.50m, Asset = "EUR", Category = "kitchen", Available = 12, Reserved = 3, TotalAdded = 15,
            Reservations = StockState.Empty("mug-1").Reservations.Add("o-1", 1).Add("o-2", 2),
        };
        var stockAccepted = new StockCommandAccepted("r-1", 4, StockView.Of(product));
        var lines = new ValueList<CartLine>([new CartLine("cup-1", 1), new CartLine("mug-1", 2)]);
        var orders = new ValueList<CartOrder>([new CartOrder("c-1:cup-1", "cup-1", 1), new CartOrder("c-1:mug-1", "mug-1", 2)]);
        var cart = CartState.Empty("alice") with { Lines = CartState.Empty("alice").Lines.Add("cup-1", 1).Add("mug-1", 2), CheckedOut = 3 };
        var cartAccepted = new CartCommandAccepted("r-1", 4, CartView.Of(cart), null);
        var user = UserState.Empty("alice") with
        {
            Exists = true, Email = "alice@example.com", PasswordHash = "pbkdf2-sha256$1000$c2FsdA==$aGFzaA==", RegisteredAt = At,
            LastLoginAt = At.AddMinutes(1), FailedLogins = 2, FailureWindowStart = At.AddMinutes(2), LockedUntil = At.AddMinutes(17),
        };
        var userAccepted = new UserCommandAccepted("r-1", 3, UserProfile.Of(user));
        object[] messages =
        [
            new Refused(Stamp, "insufficient_funds", "available USDT is 5, 10 requested"),
            rejected,
            new CommandFailed("r-3", "InvalidOperationException: poison"),
            new CommandUnavailable("r-4", "the entity restarted; send it again with the same request id"),
            StopEntity.Instance,
            new AccountRecord(Stamp, new Deposited("USDT", 10.50m), after),
            new AccountRecord(Stamp, new Withdrawn("USDT", 1m), after),
            new AccountRecord(Stamp, new Frozen("USDT", 2m), after),
            new AccountRecord(Stamp, new Unfrozen("USDT", 3m), after),
            new AccountRecord(Stamp, new Settled("USDT", 4m), after),
            new AccountRecord(Stamp, new TransferDebited("USDT", 5m, "t-1", "bob"), after),
            new AccountRecord(Stamp, new TransferCredited("USDT", 6m, "t-1", "alice"), after),
            new AccountRecord(Stamp, new TransferRefunded("USDT", 7m, "t-1", "bob"), after),
            new AccountSnapshot(state, [new LoggedRequest(Stamp, accepted), new LoggedRequest(Stamp with { RequestId = "r-2" }, rejected)]),
            accepted,
            AccountCommandParser.Envelope("alice", "c-1", new Deposit("USDT", 10.50m)),
            AccountCommandParser.Envelope("alice", "c-2", new Withdraw("USDT", 1m)),
            AccountCommandParser.Envelope("alice", "c-3", new Freeze("USDT", 1m)),
            AccountCommandParser.Envelope("alice", "c-4", new Unfreeze("USDT", 1m)),
            AccountCommandParser.Envelope("alice", "c-5", new Settle("USDT", 1m)),
            AccountCommandParser.Envelope("alice", "t-1:debit", new TransferDebit("USDT", 1m, "t-1", "bob")),
            AccountCommandParser.Envelope("bob", "t-1:credit", new TransferCredit("USDT", 1m, "t-1", "alice")),
            AccountCommandParser.Envelope("alice", "t-1:refund", new TransferRefund("USDT", 1m, "t-1", "bob")),
            new GetAccount("alice"),
            AccountBalances.Of(state),
            new StockRecord(Stamp, new ProductCreated("Mug", 12.50m, "EUR", "kitchen", 10), units),
            new StockRecord(Stamp, new ProductCreated("Mug", 12.50m, "EUR", null, 0), units),
            new StockRecord(Stamp, new Restocked(5), units),
            new StockRecord(Stamp, new DetailsChanged("Big mug", 9.99m, "dining"), units),
            new StockRecord(Stamp, new DetailsChanged(null, 9.99m, null), units),
            new StockRecord(Stamp, new StockReserved("o-1", 3), units),
            new StockRecord(Stamp, new ReservationConfirmed("o-1", 3), units),
            new StockRecord(Stamp, new ReservationReleased("o-1", 3), units),
            new StockSnapshot(product, [new LoggedRequest(Stamp, stockAccepted), new LoggedRequest(Stamp with { RequestId = "r-2" }, rejected)]),
            stockAccepted,
            new StockCommandAccepted("r-1", 1, StockView.Of(product with { Category = null })),
            StockCommandParser.Envelope("mug-1", "s-1", new Restock("Mug", 12.50m, "EUR", 10, "kitchen")),
            StockCommandParser.Envelope("mug-1", "s-2", new Restock("Mug", 12.50m, "EUR", 10, null)),
            StockCommandParser.Envelope("mug-1", "s-3", new ChangeDetails("Big mug", 9.99m, "dining")),
            StockCommandParser.Envelope("mug-1", "s-4", new ChangeDetails(null, null, "dining")),
            StockCommandParser.Envelope("mug-1", "s-5", new Reserve("o-1", 3)),
            StockCommandParser.Envelope("mug-1", "s-6", new Confirm("o-1")),
            StockCommandParser.Envelope("mug-1", "s-7", new Release("o-1")),
            new GetStock("mug-1"),
            StockView.Of(product),
            StockView.Of(StockState.Empty("mug-2")),
            new CartRecord(Stamp, new CartLinesSet(lines)),
            new CartRecord(Stamp, new CartLinesSet(ValueList<CartLine>.Empty)),
            new CartRecord(Stamp, new CartCleared()),
            new CartRecord(Stamp, new CartCheckedOut(orders)),
            new CartSnapshot(cart, [new LoggedRequest(Stamp, cartAccepted), new LoggedRequest(Stamp with { RequestId = "r-2" }, rejected)]),
            new CartSnapshot(CartState.Empty("bob"), []),
            cartAccepted,
            new CartCommandAccepted("c-1", 5, CartView.Of(CartState.Empty("alice")), orders),
            CartCommandParser.Envelope("alice", "k-1", new SetCart(lines)),
            CartCommandParser.Envelope("alice", "k-2", new SetCart(ValueList<CartLine>.Empty)),
            CartCommandParser.Envelope("alice", "k-3", new ClearCart()),
            CartCommandParser.Envelope("alice", "k-4", new CheckOut("k-4")),
            new GetCart("alice"),
            CartView.Of(cart),
            CartView.Of(CartState.Empty("bob")),
            new TransferRecord(Stamp, new TransferStarted(Terms)),
            new TransferRecord(Stamp, new TransferDebitConfirmed(Terms)),
            new TransferRecord(Stamp, new TransferCompleted(Terms)),
            new TransferRecord(Stamp, new TransferCreditRefused(Terms, "balance_limit_exceeded")),
            new TransferRecord(Stamp, new TransferRejected(Terms, "insufficient_funds")),
            new TransferSnapshot(new TransferState("t-1", TransferStatus.Refunding, Terms, "balance_limit_exceeded"),
                [new LoggedRequest(Stamp with { RequestId = "t-1" }, new TransferAnswer("t-1", "t-1", Terms, TransferAnswer.Pending, null))]),
            new TransferAnswer("t-1", "t-1", Terms, TransferAnswer.Pending, null),
            new TransferAnswer("t-1", "t-1", Terms, TransferAnswer.Rejected, "insufficient_funds"),
            TransferCommandParser.Envelope("t-1", Terms),
            new AwaitTransfer("t-1"),
            new TransferNotFound("t-1"),
            new OrderRecord(Stamp, new OrderPlaced(OrderTerms, PlacedAt, PlacedAt.AddMinutes(15))),
            new OrderRecord(Stamp, new OrderReserved(12.50m, "EUR")),
            new OrderRecord(Stamp, new OrderRejected("sold_out")),
            new OrderRecord(Stamp, new PaymentStarted(2)),
            new OrderRecord(Stamp, new PaymentRefused("insufficient_funds")),
            new OrderRecord(Stamp, new FundsFrozen()),
            new OrderRecord(Stamp, new UnitsSold()),
            new OrderRecord(Stamp, new OrderPaid()),
            new OrderRecord(Stamp, new SaleRefused("reservation_not_found")),
            new OrderRecord(Stamp, new ReleaseStarted(true)),
            new OrderRecord(Stamp, new OrderClosed(false)),
            new OrderRecord(Stamp, new OrderFailed("the account refused")),
            new OrderSnapshot(PayingOrder, [new LoggedRequest(Stamp with { RequestId = "o-1:pay-2" }, OrderAnswer), new LoggedRequest(Stamp with { RequestId = "r-2" }, rejected)]),
            OrderAnswer,
            PlaceCommand,
            new PayOrderRequest("o-1", "p-1"),
            new CancelOrderRequest("o-1", "c-1"),
            new AwaitReservation("o-1", "o-1"),
            new GetOrder("o-1"),
            new CheckOrder("o-1"),
            OrderView.Of(PayingOrder),
            OrderView.Of(OrderState.New("o-2")),
            new UserRecord(Stamp, new UserRegistered("alice@example.com", "pbkdf2-sha256$1000$c2FsdA==$aGFzaA==", At)),
            new UserRecord(Stamp, new LoginFailed(At, 1, At, null)),
            new UserRecord(Stamp, new LoginFailed(At, 5, At.AddMinutes(-3), At.AddMinutes(15))),
            new UserRecord(Stamp, new LoginSucceeded(At)),
            new UserSnapshot(user, [new LoggedRequest(Stamp, userAccepted), new LoggedRequest(Stamp with { RequestId = "r-2" }, rejected)]),
            new UserSnapshot(UserState.Empty("bob"), []),
            userAccepted,
            new UserCommandAccepted("r-1", 1, UserProfile.Of(user with { LastLoginAt = null, LockedUntil = null })),
            UserCommandEnvelope.Of("alice", "u-1", new Register("alice@example.com", "pbkdf2-sha256$1000$c2FsdA==$aGFzaA==", At)),
            UserCommandEnvelope.Of("alice", "u-2", new RecordFailedLogin(At, Policy)),
            UserCommandEnvelope.Of("alice", "u-3", new RecordLogin(At)),
            new GetUser("alice"),
            UserProfile.Of(user),
            new UserCredentials(UserProfile.Of(user), user.PasswordHash),
            new Reconcile(ReconciliationScope.Full),
            new ReconciliationReport(new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc), ReconciliationScope.Totals, 42, 40, 2,
                [new AssetTotal("USDT", 100.50m, 1m, 101.50m)], [new Mismatch("asset_total", "USDT", "off by 0.5")], 1),
        ];
        var data = new TheoryData<string, object>();
        foreach (var message in messages)
        {
            data.Add($"{message.GetType().Name} {message}", message);
        }
        return data;
    }

    [Fact]
    public void Every_cohort_message_type_has_a_sample_here()
    {
        var sampled = Messages().Select(row => row[1].GetType()).ToHashSet();
        var all = typeof(ICohortMessage).Assembly.GetTypes()
            .Where(t => typeof(ICohortMessage).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false });
        Assert.Empty(all.Where(t => !sampled.Contains(t)).Select(t => t.Name));
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void A_message_comes_back_as_it_went(string name, object message)
    {
        var serializer = Assert.IsType<CohortSerializer>(Sys.Serialization.FindSerializerFor(message));
        Assert.Equal(CohortSerializer.Id, serializer.Identifier);
        var manifest = Serialization.ManifestFor(serializer, message);
        var bytes = serializer.ToBinary(message);

        var back = Sys.Serialization.Deserialize(bytes, serializer.Identifier, manifest);

        Assert.IsType(message.GetType(), back);
        // Written again, it is the same bytes: nothing the writer wrote was lost or changed by the reader.
        Assert.Equal(Encoding.UTF8.GetString(bytes), Encoding.UTF8.GetString(serializer.ToBinary(back)));
        switch (message)
        {
            case AccountSnapshot s:
                var b = (AccountSnapshot)back;
                Assert.Equal(s.State.AccountId, b.State.AccountId);
                Assert.Equal(s.State.Balances.ToList(), b.State.Balances.ToList());
                Assert.Equal(s.Requests, b.Requests);
                break;
            case StockSnapshot s:
                var stock = (StockSnapshot)back;
                Assert.Equal(s.State with { Reservations = stock.State.Reservations }, stock.State);
                Assert.Equal(s.State.Reservations.ToList(), stock.State.Reservations.ToList());
                Assert.Equal(s.Requests, stock.Requests);
                break;
            case CartSnapshot s:
                var cart = (CartSnapshot)back;
                Assert.Equal((s.State.AccountId, s.State.CheckedOut), (cart.State.AccountId, cart.State.CheckedOut));
                Assert.Equal(s.State.Lines.ToList(), cart.State.Lines.ToList());
                Assert.Equal(s.Requests, cart.Requests);
                break;
            case OrderSnapshot s:
                Assert.Equal(s.State, ((OrderSnapshot)back).State);
                Assert.Equal(s.Requests, ((OrderSnapshot)back).Requests);
                break;
            case UserSnapshot s:
                Assert.Equal(s.State, ((UserSnapshot)back).State);
                Assert.Equal(s.Requests, ((UserSnapshot)back).Requests);
                break;
            case TransferSnapshot s:
                Assert.Equal(s.State, ((TransferSnapshot)back).State);
                Assert.Equal(s.Requests, ((TransferSnapshot)back).Requests);
                break;
            case AccountBalances s:
                Assert.Equal(s.AccountId, ((AccountBalances)back).AccountId);
                Assert.Equal(s.Balances, ((AccountBalances)back).Balances);
                break;
            case ReconciliationReport s:
                var r = (ReconciliationReport)back;
                Assert.Equal((s.CheckedAt, s.Scope, s.Offset, s.Records, s.Accounts, s.StuckTransfers), (r.CheckedAt, r.Scope, r.Offset, r.Records, r.Accounts, r.StuckTransfers));
                Assert.Equal(s.Assets, r.Assets);
                Assert.Equal(s.Mismatches, r.Mismatches);
                break;
            default:
                Assert.Equal(message, back);
                break;
        }
        Output?.WriteLine($"{name}: {manifest} {Encoding.UTF8.GetString(bytes)}");
    }

    public static TheoryData<object, string, string> Golden() => new()
    {
        { new AccountRecord(Stamp, new Deposited("USDT", 10.50m), new AssetBalance(110.50m, 20m)), "account.deposited.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","asset":"USDT","amount":"10.50","available":"110.50","frozen":"20"}""" },
        { new AccountRecord(Stamp, new Withdrawn("USDT", 1.000m), new AssetBalance(0m, 0.5m)), "account.withdrawn.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","asset":"USDT","amount":"1.000","available":"0","frozen":"0.5"}""" },
        { new AccountRecord(Stamp, new Frozen("BTC", 0.000000000000000001m), new AssetBalance(1m, 0.000000000000000001m)), "account.frozen.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","asset":"BTC","amount":"0.000000000000000001","available":"1","frozen":"0.000000000000000001"}""" },
        { new AccountRecord(Stamp, new Unfrozen("USDT", 2m), new AssetBalance(12m, 8m)), "account.unfrozen.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","asset":"USDT","amount":"2","available":"12","frozen":"8"}""" },
        { new AccountRecord(Stamp, new Settled("USDT", 3m), new AssetBalance(12m, 5m)), "account.settled.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","asset":"USDT","amount":"3","available":"12","frozen":"5"}""" },
        { new AccountRecord(Stamp, new TransferDebited("USDT", 30.50m, "t-1", "bob"), new AssetBalance(69.50m, 0m)), "account.transferDebited.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","asset":"USDT","amount":"30.50","available":"69.50","frozen":"0","transferId":"t-1","counterparty":"bob"}""" },
        { new AccountRecord(Stamp, new TransferCredited("USDT", 30.50m, "t-1", "alice"), new AssetBalance(9999999999.999999999999999999m, 0m)), "account.transferCredited.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","asset":"USDT","amount":"30.50","available":"9999999999.999999999999999999","frozen":"0","transferId":"t-1","counterparty":"alice"}""" },
        { new AccountRecord(Stamp, new TransferRefunded("USDT", 30.50m, "t-1", "bob"), new AssetBalance(100m, 0m)), "account.transferRefunded.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","asset":"USDT","amount":"30.50","available":"100","frozen":"0","transferId":"t-1","counterparty":"bob"}""" },
        { new Refused(Stamp, "insufficient_funds", "available USDT is 5, 10 requested"), "refused.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","code":"insufficient_funds","message":"available USDT is 5, 10 requested"}""" },
        { new StockRecord(Stamp, new ProductCreated("Mug", 12.50m, "EUR", "kitchen", 10), new StockUnits(10, 0, 0)), "stock.created.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","name":"Mug","price":"12.50","asset":"EUR","category":"kitchen","units":10,"available":10,"reserved":0,"sold":0}""" },
        { new StockRecord(Stamp, new ProductCreated("Mug", 1m, "EUR", null, 0), new StockUnits(0, 0, 0)), "stock.created.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","name":"Mug","price":"1","asset":"EUR","units":0,"available":0,"reserved":0,"sold":0}""" },
        { new StockRecord(Stamp, new Restocked(5), new StockUnits(15, 0, 0)), "stock.restocked.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","units":5,"available":15,"reserved":0,"sold":0}""" },
        { new StockRecord(Stamp, new DetailsChanged("Big mug", 9.99m, "dining"), new StockUnits(15, 0, 0)), "stock.detailsChanged.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","name":"Big mug","price":"9.99","category":"dining","available":15,"reserved":0,"sold":0}""" },
        { new StockRecord(Stamp, new DetailsChanged(null, 9.99m, null), new StockUnits(15, 0, 0)), "stock.detailsChanged.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","price":"9.99","available":15,"reserved":0,"sold":0}""" },
        { new StockRecord(Stamp, new StockReserved("o-1", 3), new StockUnits(12, 3, 0)), "stock.reserved.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","orderId":"o-1","quantity":3,"available":12,"reserved":3,"sold":0}""" },
        { new StockRecord(Stamp, new ReservationConfirmed("o-1", 3), new StockUnits(12, 0, 3)), "stock.confirmed.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","orderId":"o-1","quantity":3,"available":12,"reserved":0,"sold":3}""" },
        { new StockRecord(Stamp, new ReservationReleased("o-1", 3), new StockUnits(15, 0, 0)), "stock.released.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","orderId":"o-1","quantity":3,"available":15,"reserved":0,"sold":0}""" },
        { new CartRecord(Stamp, new CartLinesSet(new ValueList<CartLine>([new CartLine("cup-1", 1), new CartLine("mug-1", 10000)]))), "cart.linesSet.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","lines":[{"sku":"cup-1","quantity":1},{"sku":"mug-1","quantity":10000}]}""" },
        { new CartRecord(Stamp, new CartLinesSet(ValueList<CartLine>.Empty)), "cart.linesSet.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","lines":[]}""" },
        { new CartRecord(Stamp, new CartCleared()), "cart.cleared.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z"}""" },
        { new CartRecord(Stamp, new CartCheckedOut(new ValueList<CartOrder>([new CartOrder("r-1:cup-1", "cup-1", 1), new CartOrder("r-1:mug-1", "mug-1", 2)]))), "cart.checkedOut.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","orders":[{"orderId":"r-1:cup-1","sku":"cup-1","quantity":1},{"orderId":"r-1:mug-1","sku":"mug-1","quantity":2}]}""" },
        { new UserRecord(Stamp, new UserRegistered("alice@example.com", "pbkdf2-sha256$210000$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaA==", new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc))), "user.registered.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","email":"alice@example.com","passwordHash":"pbkdf2-sha256$210000$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaA==","registeredAt":"2024-05-06T07:08:09Z"}""" },
        { new UserRecord(Stamp, new LoginFailed(new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc), 2, new DateTime(2024, 5, 6, 7, 0, 0, DateTimeKind.Utc), null)), "user.loginFailed.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","loginAt":"2024-05-06T07:08:09Z","failedLogins":2,"windowStart":"2024-05-06T07:00:00Z"}""" },
        { new UserRecord(Stamp, new LoginFailed(new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc), 5, new DateTime(2024, 5, 6, 7, 0, 0, DateTimeKind.Utc), new DateTime(2024, 5, 6, 7, 23, 9, DateTimeKind.Utc))), "user.loginFailed.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","loginAt":"2024-05-06T07:08:09Z","failedLogins":5,"windowStart":"2024-05-06T07:00:00Z","lockedUntil":"2024-05-06T07:23:09Z"}""" },
        { new UserRecord(Stamp, new LoginSucceeded(new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc))), "user.loginSucceeded.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","loginAt":"2024-05-06T07:08:09Z"}""" },
        { new TransferRecord(Stamp, new TransferStarted(Terms)), "transfer.started.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","from":"alice","to":"bob","asset":"USDT","amount":"30.50"}""" },
        { new TransferRecord(Stamp, new TransferDebitConfirmed(Terms)), "transfer.debitConfirmed.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","from":"alice","to":"bob","asset":"USDT","amount":"30.50"}""" },
        { new TransferRecord(Stamp, new TransferCompleted(Terms)), "transfer.completed.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","from":"alice","to":"bob","asset":"USDT","amount":"30.50"}""" },
        { new TransferRecord(Stamp, new TransferCreditRefused(Terms, "balance_limit_exceeded")), "transfer.creditRefused.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","from":"alice","to":"bob","asset":"USDT","amount":"30.50","reason":"balance_limit_exceeded"}""" },
        { new TransferRecord(Stamp, new TransferRejected(Terms, "insufficient_funds")), "transfer.rejected.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","from":"alice","to":"bob","asset":"USDT","amount":"30.50","reason":"insufficient_funds"}""" },
        { new OrderRecord(Stamp, new OrderPlaced(OrderTerms, PlacedAt, PlacedAt.AddMinutes(15))), "order.placed.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","accountId":"alice","sku":"mug-1","quantity":2,"placedAt":"2024-05-06T07:00:00Z","deadline":"2024-05-06T07:15:00Z"}""" },
        { new OrderRecord(Stamp, new OrderReserved(12.50m, "EUR")), "order.reserved.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","price":"12.50","asset":"EUR"}""" },
        { new OrderRecord(Stamp, new OrderRejected("sold_out")), "order.rejected.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","reason":"sold_out"}""" },
        { new OrderRecord(Stamp, new PaymentStarted(2)), "order.paymentStarted.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","attempt":2}""" },
        { new OrderRecord(Stamp, new PaymentRefused("insufficient_funds")), "order.paymentRefused.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","reason":"insufficient_funds"}""" },
        { new OrderRecord(Stamp, new FundsFrozen()), "order.fundsFrozen.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z"}""" },
        { new OrderRecord(Stamp, new UnitsSold()), "order.unitsSold.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z"}""" },
        { new OrderRecord(Stamp, new OrderPaid()), "order.paid.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z"}""" },
        { new OrderRecord(Stamp, new SaleRefused("reservation_not_found")), "order.saleRefused.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","reason":"reservation_not_found"}""" },
        { new OrderRecord(Stamp, new ReleaseStarted(true)), "order.releaseStarted.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","expired":true}""" },
        { new OrderRecord(Stamp, new OrderClosed(false)), "order.closed.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","expired":false}""" },
        { new OrderRecord(Stamp, new OrderFailed("the account refused")), "order.failed.v1",
            """{"requestId":"r-1","hash":"dd56de4137951d9c92681b03416ec15f","at":"2024-05-06T07:08:09.1234567Z","reason":"the account refused"}""" },
        { OrderAnswer, "order.accepted.v1",
            """{"requestId":"o-1:pay-2","orderId":"flash:mug-1:alice","accountId":"alice","sku":"mug-1","quantity":2,"status":"paying","asset":"EUR","price":"12.50","amount":"25.00","placedAt":"2024-05-06T07:00:00Z","deadline":"2024-05-06T07:15:00Z","reason":null}""" },
        { PlaceCommand, "order.command.v1",
            $$"""{"orderId":"o-1","requestId":"o-1","hash":"{{PlaceCommand.Hash}}","accountId":"alice","sku":"mug-1","quantity":2,"placedAt":"2024-05-06T07:00:00Z","deadline":"2024-05-06T07:15:00Z","flashSale":true}""" },
        { new PayOrderRequest("o-1", "p-1"), "order.pay.v1", """{"orderId":"o-1","requestId":"p-1","entityId":"o-1"}""" },
        { new CancelOrderRequest("o-1", "c-1"), "order.cancel.v1", """{"orderId":"o-1","requestId":"c-1","entityId":"o-1"}""" },
        { new AwaitReservation("o-1", "o-1"), "order.awaitReservation.v1", """{"orderId":"o-1","requestId":"o-1","entityId":"o-1"}""" },
        { new GetOrder("o-1"), "order.get.v1", """{"orderId":"o-1","entityId":"o-1"}""" },
        { new CheckOrder("o-1"), "order.check.v1", """{"orderId":"o-1","entityId":"o-1"}""" },
    };

    [Theory]
    [MemberData(nameof(Golden))]
    public void A_journal_record_is_written_exactly_as_pinned_and_read_back_from_it(object record, string manifest, string json)
    {
        var serializer = (CohortSerializer)Sys.Serialization.FindSerializerFor(record);

        Assert.Equal(manifest, serializer.Manifest(record));
        Assert.Equal(json, Encoding.UTF8.GetString(serializer.ToBinary(record)));
        // The pinned text, as an old row holds it, still reads as the same record.
        Assert.Equal(record, serializer.FromBinary(Encoding.UTF8.GetBytes(json), manifest));
    }

    [Fact]
    public void A_request_hash_is_pinned_too_since_journals_keep_it()
    {
        // A replayed command is told from a different one by this hash, against hashes journaled long ago.
        Assert.Equal("dd56de4137951d9c92681b03416ec15f", RequestHash.Of("golden").ToString());
        Assert.Equal(AccountCommandParser.Envelope("a", "r", new Deposit("USDT", 10.50m)).Hash,
            AccountCommandParser.Envelope("a", "r", new Deposit("USDT", 10.5000m)).Hash);
        Assert.Equal(StockCommandParser.Envelope("s", "r", new Restock("Mug", 12.50m, "EUR", 1, null)).Hash,
            StockCommandParser.Envelope("s", "r", new Restock("Mug", 12.5m, "EUR", 1, null)).Hash);
        Assert.NotEqual(StockCommandParser.Envelope("s", "r", new ChangeDetails("Mug", null, null)).Hash,
            StockCommandParser.Envelope("s", "r", new ChangeDetails(null, null, "Mug")).Hash);
        Assert.Equal("7bd2c34d3b50e75c570fb42fd86a3738",
            CartCommandParser.Envelope("a", "r", new SetCart(new ValueList<CartLine>([new CartLine("mug-1", 2), new CartLine("cup-1", 1)]))).Hash.ToString());
        Assert.Equal(CartCommandParser.Envelope("a", "r", new SetCart(new ValueList<CartLine>([new CartLine("mug-1", 2), new CartLine("cup-1", 1)]))).Hash,
            CartCommandParser.Envelope("a", "r", new SetCart(new ValueList<CartLine>([new CartLine("cup-1", 1), new CartLine("mug-1", 2)]))).Hash);
    }

    [Fact]
    public void An_order_snapshot_is_written_exactly_as_pinned()
    {
        var snapshot = new OrderSnapshot(PayingOrder with { Reason = "insufficient_funds" }, [new LoggedRequest(Stamp, new CommandRejected("r-1", "order_closed", "closed"))]);
        var serializer = (CohortSerializer)Sys.Serialization.FindSerializerFor(snapshot);

        Assert.Equal("order.snapshot.v1", serializer.Manifest(snapshot));
        Assert.StartsWith(
            """{"orderId":"flash:mug-1:alice","status":"Confirming","accountId":"alice","sku":"mug-1","quantity":2,"placedAt":"2024-05-06T07:00:00Z","deadline":"2024-05-06T07:15:00Z","asset":"EUR","price":"12.50","paymentAttempts":2,"reason":"insufficient_funds","requests":[{"requestId":"r-1",""",
            Encoding.UTF8.GetString(serializer.ToBinary(snapshot)));
    }

    [Theory]
    [InlineData("account.unknown.v1")]
    [InlineData("account.deposited.v2")]
    [InlineData("")]
    public void An_unknown_manifest_is_refused(string manifest)
    {
        var serializer = (CohortSerializer)Sys.Serialization.FindSerializerFor(StopEntity.Instance);
        var e = Assert.Throws<InvalidDataException>(() => serializer.FromBinary("{}"u8.ToArray(), manifest));
        Assert.Contains($"'{manifest}'", e.Message);
    }
}
