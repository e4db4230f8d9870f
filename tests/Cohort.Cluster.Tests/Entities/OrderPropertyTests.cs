using Cohort.Cluster.Entities.Orders;
using Cohort.Domain;
using Cohort.Domain.Accounts;
using Cohort.Domain.Orders;
using Cohort.Domain.Stock;

namespace Cohort.Cluster.Tests.Entities;

/// <summary>
/// "Random interleavings never break the stock invariant or move money twice": one product, a few accounts and many
/// orders, each run by its pure Decide and Evolve behind a request log that answers a request id seen before with its
/// first answer, as <c>JournaledEntity</c> does. A seeded scheduler places, pays, cancels and expires orders, deposits,
/// delivers step messages in any order, delivers them twice, sends them again as the retry timer does, and drops
/// answers. The order side mirrors <see cref="OrderActor"/>: the step sent is derived from the state's pending step,
/// under <see cref="OrderSteps.RequestId"/>, and each answer comes back as a <see cref="StepAnswered"/> under its
/// request id. After every message is drained, units and money must add up to what the orders say. No I/O.
/// </summary>
public class OrderPropertyTests
{
    private const int Steps = 4_000;
    private const string Sku = "mug-1";
    private const string Asset = "EUR";
    private static readonly string[] AccountIds = ["alice", "bob", "carol", "dave"];
    private static readonly TimeSpan PaymentTimeout = TimeSpan.FromMinutes(10);

    public static TheoryData<int> Seeds => new(1, 7_919, 104_729);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Random_interleavings_never_break_the_stock_invariant_or_move_money_twice(int seed)
    {
        var sim = new Simulation(seed);
        for (var step = 0; step < Steps; step++)
        {
            sim.Step();
            Assert.True(sim.UnitsAddUp(), $"seed {seed}, step {step}: units do not add up");
        }
        sim.Drain();

        var where = $"seed {seed}";
        var product = sim.Product.State;
        var orders = sim.Orders.Values.Select(o => o.State).ToList();
        Assert.Equal(sim.UnitsAdded, product.TotalAdded);
        Assert.Equal(product.TotalAdded, product.Available + product.Reserved + product.Sold);

        foreach (var o in orders)
        {
            Assert.True(o.IsFinal || (o.Status == OrderStatus.AwaitingPayment && o.Deadline > sim.Now),
                $"{where}: order {o.OrderId} is {o.Status} (deadline {o.Deadline:O}, now {sim.Now:O}) with nothing left to move it");
        }
        // Honest stock and accounts never refuse a step they promised: no order may fail.
        Assert.DoesNotContain(orders, o => o.Status == OrderStatus.Failed);

        var paid = orders.Where(o => o.Status == OrderStatus.Paid).ToList();
        Assert.Equal(paid.Sum(o => o.Terms.Quantity), product.Sold);
        var holding = orders.Where(o => o.Status == OrderStatus.AwaitingPayment).ToDictionary(o => o.OrderId, o => o.Terms.Quantity);
        Assert.Equal(holding.OrderBy(h => h.Key, StringComparer.Ordinal), product.Reservations);
        Assert.Equal(holding.Values.Sum(), product.Reserved);

        foreach (var accountId in AccountIds)
        {
            var balance = sim.Accounts[accountId].State.BalanceOf(Asset);
            var spent = paid.Where(o => o.Terms.AccountId == accountId).Sum(o => o.Amount);
            Assert.True(sim.Deposited[accountId] - balance.Available - balance.Frozen == spent,
                $"{where}: {accountId} deposited {sim.Deposited[accountId]}, holds {balance.Available} + {balance.Frozen} frozen, but its paid orders cost {spent}");
            var owed = orders.Where(o => o.Terms.AccountId == accountId && o.Status is OrderStatus.Confirming or OrderStatus.Settling or OrderStatus.Unfreezing).Sum(o => o.Amount);
            Assert.Equal(owed, balance.Frozen);
        }

        // The run went through every path, not only the easy ones.
        Assert.All(new[] { OrderStatus.Paid, OrderStatus.Cancelled, OrderStatus.Expired, OrderStatus.Rejected, OrderStatus.AwaitingPayment },
            status => Assert.True(orders.Any(o => o.Status == status), $"{where}: no order ended {status}"));
        Assert.True(paid.Any(o => o.PaymentAttempts > 1), $"{where}: no order was paid at a second attempt");
        Assert.True(orders.Any(o => o.Status == OrderStatus.Expired && o.PaymentAttempts > 0), $"{where}: no refused payment expired");
        foreach (var seen in new[] { "already_purchased", "dropped", "duplicated", "stock replayed", "account replayed", "order replayed", "price changed" })
        {
            Assert.True(sim.Seen.GetValueOrDefault(seen) > 0, $"{where}: nothing {seen}");
        }
    }

    /// <summary>An entity's answer: accepted (a stock's with the product's price and asset right after it) or refused with a code.</summary>
    private sealed record Reply(string RequestId, bool Accepted, string? Code, decimal Price = 0m, string Asset = "");

    /// <summary>A step command on its way to the stock (<see cref="Stock"/>) or to an account.</summary>
    private sealed record StepMessage(string RequestId, StockCommand? Stock, string? AccountId, AccountCommand? Account);

    /// <summary>
    /// One entity as <c>JournaledEntity</c> hosts it: a request id seen before gets its first answer (or
    /// idempotency_conflict for another command) and changes nothing; a refusal is remembered; a command that
    /// changes nothing is not.
    /// </summary>
    private sealed class Entity<TState, TCommand, TEvent>(
        TState initial, Func<TState, TCommand, Decision<TEvent>> decide, Func<TState, TEvent, TState> evolve, Func<string, TState, Reply> accept)
    {
        private readonly Dictionary<string, (string Hash, Reply Reply)> log = new(StringComparer.Ordinal);

        public TState State { get; private set; } = initial;

        public int Replayed { get; private set; }

        public Reply? Execute(string requestId, string hash, TCommand command)
        {
            if (log.TryGetValue(requestId, out var logged))
            {
                Replayed++;
                return logged.Hash == hash ? logged.Reply : new Reply(requestId, false, RejectionCodes.IdempotencyConflict);
            }
            var decision = decide(State, command);
            Reply reply;
            if (decision.Rejection is { } rejection)
            {
                reply = new Reply(requestId, false, rejection.Code);
            }
            else if (decision.Events.Count == 0)
            {
                return null;
            }
            else
            {
                State = decision.Events.Aggregate(State, evolve);
                reply = accept(requestId, State);
            }
            log[requestId] = (hash, reply);
            return reply;
        }
    }

    /// <summary>An order entity and what <see cref="OrderActor"/> keeps beside it: the state its step was last sent for.</summary>
    private sealed class OrderProcess(string orderId)
    {
        public string Id { get; } = orderId;

        public Entity<OrderState, OrderCommand, OrderEvent> Entity { get; } =
            new(OrderState.New(orderId), Order.Decide, Order.Evolve, (id, _) => new Reply(id, true, null));

        public OrderState State => Entity.State;

        public (OrderStatus, int)? SentFor { get; set; }
    }

    private sealed class Simulation
    {
        private readonly Random random;
        private readonly List<StepMessage> inFlight = [];
        private readonly List<Reply> answers = [];
        private int placed;

        public Simulation(int seed)
        {
            random = new Random(seed);
            Product = new Entity<StockState, StockCommand, StockEvent>(StockState.Empty(Sku), Domain.Stock.Product.Decide, Domain.Stock.Product.Evolve,
                (id, s) => new Reply(id, true, null, s.Price, s.Asset));
            foreach (var accountId in AccountIds)
            {
                Accounts[accountId] = new Entity<AccountState, AccountCommand, AccountEvent>(AccountState.Empty(accountId), Account.Decide, Account.Evolve,
                    (id, _) => new Reply(id, true, null));
                Deposited[accountId] = 0m;
            }
            Restock(20);
        }

        public DateTime Now { get; private set; } = new(2024, 5, 6, 7, 0, 0, DateTimeKind.Utc);

        public Entity<StockState, StockCommand, StockEvent> Product { get; }

        public Dictionary<string, Entity<AccountState, AccountCommand, AccountEvent>> Accounts { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, OrderProcess> Orders { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, decimal> Deposited { get; } = new(StringComparer.Ordinal);

        public long UnitsAdded { get; private set; }

        public Dictionary<string, int> Seen { get; } = new(StringComparer.Ordinal);

        public bool UnitsAddUp() =>
            Product.State.Available + Product.State.Reserved + Product.State.Sold == UnitsAdded && Product.State.TotalAdded == UnitsAdded;

        public void Step()
        {
            switch (random.Next(100))
            {
                case < 8:
                    Place();
                    break;
                case < 18:
                    Pay(AnyOrder());
                    break;
                case < 21:
                    Cancel(AnyOrder());
                    break;
                case < 26:
                    Now += TimeSpan.FromSeconds(random.Next(0, 90));
                    ExpireIfDue(AnyOrder());
                    break;
                case < 31:
                    Deposit(AccountIds[random.Next(AccountIds.Length)], random.Next(1, 16));
                    break;
                case < 56:
                    Deliver(Take(inFlight));
                    break;
                case < 63:
                    if (Pick(inFlight) is { } twice)
                    {
                        Count("duplicated");
                        Deliver(twice);
                    }
                    break;
                case < 71:
                    if (AnyOrder() is { } retried)
                    {
                        SendStep(retried, force: true);
                    }
                    break;
                case < 76:
                    if (Take(answers) is not null)
                    {
                        Count("dropped");
                    }
                    break;
                case < 98:
                    Answer(Take(answers));
                    break;
                case 98:
                    var price = random.Next(2) == 0 ? 2.50m : 3.10m;
                    if (Product.Execute($"price-{random.Next()}", $"price {price}", new ChangeDetails(null, price, null)) is { Accepted: true })
                    {
                        Count("price changed");
                    }
                    break;
                default:
                    Restock(5);
                    break;
            }
            Count("stock replayed", Product.Replayed);
            Count("account replayed", Accounts.Values.Sum(a => a.Replayed));
            Count("order replayed", Orders.Values.Sum(o => o.Entity.Replayed));
        }

        /// <summary>Delivers every message and answer, sending steps again and firing due deadlines, until nothing moves.</summary>
        public void Drain()
        {
            for (var round = 0; ; round++)
            {
                Assert.True(round < 100_000, "the orders never settle");
                if (inFlight.Count > 0)
                {
                    Deliver(Take(inFlight));
                    continue;
                }
                if (answers.Count > 0)
                {
                    Answer(Take(answers));
                    continue;
                }
                var waiting = Orders.Values.Where(o => o.State.PendingStep is not null || (o.State.Status == OrderStatus.AwaitingPayment && Now >= o.State.Deadline)).ToList();
                if (waiting.Count == 0)
                {
                    return;
                }
                foreach (var order in waiting)
                {
                    ExpireIfDue(order);
                    SendStep(order, force: true);
                }
            }
        }

        private void Place()
        {
            var accountId = AccountIds[random.Next(AccountIds.Length)];
            var flashSale = random.Next(4) == 0;
            var orderId = flashSale ? $"flash:{Sku}:{accountId}" : $"o-{placed++}";
            var terms = new OrderTerms(accountId, Sku, random.Next(1, 5));
            var order = Orders.TryGetValue(orderId, out var known) ? known : Orders[orderId] = new OrderProcess(orderId);
            var requestId = $"place-{random.Next()}";
            var reply = order.Entity.Execute(requestId, $"place {terms} {flashSale}", new PlaceOrder(terms, Now, Now + PaymentTimeout, flashSale));
            if (reply?.Code == RejectionCodes.AlreadyPurchased)
            {
                Count("already_purchased");
            }
            SendStep(order, force: false);
        }

        /// <summary>As <see cref="OrderActor"/> takes a pay: decided against the state, journaled under the attempt's id if it starts one.</summary>
        private void Pay(OrderProcess? order)
        {
            if (order is not null && Order.Decide(order.State, new PayOrder()).Events.Count > 0)
            {
                var id = OrderSteps.Pay(order.Id, order.State.PaymentAttempts + 1);
                order.Entity.Execute(id, id, new PayOrder());
                SendStep(order, force: false);
            }
        }

        private void Cancel(OrderProcess? order)
        {
            if (order is not null && Order.Decide(order.State, new CancelOrder()).Events.Count > 0)
            {
                var id = OrderSteps.Cancel(order.Id);
                order.Entity.Execute(id, id, new CancelOrder());
                SendStep(order, force: false);
            }
        }

        /// <summary>The deadline timer, or the keeper's check.</summary>
        private void ExpireIfDue(OrderProcess? order)
        {
            if (order is not null && order.State.Status == OrderStatus.AwaitingPayment && Now >= order.State.Deadline)
            {
                var id = OrderSteps.Expire(order.Id);
                order.Entity.Execute(id, id, new ExpireOrder(Now));
                SendStep(order, force: false);
            }
        }

        /// <summary>As <see cref="OrderActor"/>'s SendStep: the step the state waits on, once per state unless the timer forces it.</summary>
        private void SendStep(OrderProcess order, bool force)
        {
            var s = order.State;
            if (s.PendingStep is not { } step)
            {
                return;
            }
            var key = (s.Status, s.PaymentAttempts);
            if (!force && order.SentFor == key)
            {
                return;
            }
            var id = OrderSteps.RequestId(order.Id, step, s.PaymentAttempts);
            inFlight.Add(step switch
            {
                OrderStep.Reserve => new StepMessage(id, new Reserve(order.Id, s.Terms.Quantity), null, null),
                OrderStep.Confirm => new StepMessage(id, new Confirm(order.Id), null, null),
                OrderStep.Release => new StepMessage(id, new Release(order.Id), null, null),
                OrderStep.Freeze => new StepMessage(id, null, s.Terms.AccountId, new Freeze(s.Asset, s.Amount)),
                OrderStep.Settle => new StepMessage(id, null, s.Terms.AccountId, new Settle(s.Asset, s.Amount)),
                OrderStep.Unfreeze => new StepMessage(id, null, s.Terms.AccountId, new Unfreeze(s.Asset, s.Amount)),
                _ => throw new ArgumentOutOfRangeException(nameof(order), step, "unknown step"),
            });
            order.SentFor = key;
        }

        private void Deliver(StepMessage? message)
        {
            if (message is null)
            {
                return;
            }
            var reply = message.Stock is { } stock
                ? Product.Execute(message.RequestId, stock.ToString(), stock)
                : Accounts[message.AccountId!].Execute(message.RequestId, message.Account!.ToString(), message.Account);
            answers.Add(reply ?? throw new InvalidOperationException($"{message} changed nothing and was not answered"));
        }

        /// <summary>As <see cref="OrderActor"/>'s OnStepAnswered: the answer under the step's request id.</summary>
        private void Answer(Reply? reply)
        {
            if (reply is null)
            {
                return;
            }
            Assert.True(OrderSteps.TryParse(reply.RequestId, out var orderId, out var step, out var attempt), reply.RequestId);
            var order = Orders[orderId];
            var answered = new StepAnswered(step, attempt, reply.Accepted, reply.Code, reply.Price, reply.Asset);
            order.Entity.Execute(reply.RequestId, $"{step}\n{attempt}\n{answered.Accepted}\n{answered.Code}", answered);
            SendStep(order, force: false);
        }

        private void Deposit(string accountId, decimal amount)
        {
            if (Accounts[accountId].Execute($"deposit-{random.Next()}", $"deposit {amount}", new Deposit(Asset, amount)) is { Accepted: true })
            {
                Deposited[accountId] += amount;
            }
        }

        private void Restock(long units)
        {
            var restock = new Restock("Mug", Product.State.Exists ? Product.State.Price : 2.50m, Asset, units, null);
            Assert.Equal(true, Product.Execute($"restock-{random.Next()}", restock.ToString(), restock)?.Accepted);
            UnitsAdded += units;
        }

        private OrderProcess? AnyOrder() => Orders.Count == 0 ? null : Orders.Values.ElementAt(random.Next(Orders.Count));

        private T? Pick<T>(List<T> items) where T : class => items.Count == 0 ? null : items[random.Next(items.Count)];

        private T? Take<T>(List<T> items) where T : class
        {
            if (items.Count == 0)
            {
                return null;
            }
            var i = random.Next(items.Count);
            var item = items[i];
            items.RemoveAt(i);
            return item;
        }

        private void Count(string what, int times = 1)
        {
            if (times > 0)
            {
                Seen[what] = Seen.GetValueOrDefault(what) + times;
            }
        }
    }
}
