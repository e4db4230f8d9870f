using Cohort.Domain.Stock;

namespace Cohort.Domain.Tests.Stock;

/// <summary>
/// Random commands through Decide and Evolve, checked after each against a model kept apart from the code under
/// test: no unit is ever created or lost. Seeded, so a failure is reproducible: every message names the seed.
/// </summary>
public class ProductPropertyTests
{
    private const int Commands = 10_000;
    private const int OrderIds = 40;

    public static TheoryData<int> Seeds => new(1, 7_919, 104_729);

    /// <summary>What the commands should have done, in plain counters.</summary>
    private sealed class Model
    {
        public long Added, Available, Sold;
        public readonly Dictionary<string, long> Orders = new(StringComparer.Ordinal);

        public long Reserved => Orders.Values.Sum();
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Units_are_never_created_or_lost(int seed)
    {
        var random = new Random(seed);
        var state = Apply(StockState.Empty("sku-1"), new Restock("Mug", 2.50m, "EUR", 20, null));
        var model = new Model { Added = 20, Available = 20 };
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);

        for (var step = 0; step < Commands; step++)
        {
            var orderId = $"o-{random.Next(OrderIds)}";
            var quantity = (long)random.Next(1, 15);
            // Restocks are rare enough that sales drain the product, and reservations run into sold_out.
            StockCommand command = random.Next(20) switch
            {
                < 9 => new Reserve(orderId, quantity),
                < 13 => new Confirm(orderId),
                < 19 => new Release(orderId),
                _ => new Restock("Mug", 2.50m, "EUR", quantity, null),
            };
            var expected = Expect(model, command);
            var decision = Product.Decide(state, command);
            var where = $"seed {seed}, step {step}: {command}";
            Assert.True(expected == decision.Rejection?.Code, $"{where}: expected {expected ?? "acceptance"}, got {decision.Rejection?.Code ?? "acceptance"}");
            state = decision.Events.Aggregate(state, Product.Evolve);
            outcomes[expected ?? command.GetType().Name] = outcomes.GetValueOrDefault(expected ?? command.GetType().Name) + 1;

            Assert.True(state.Available + state.Reserved + state.Sold == state.TotalAdded, $"{where}: units do not add up");
            Assert.True(state.Available >= 0 && state.Reserved >= 0 && state.Sold >= 0, $"{where}: negative units");
            Assert.True(state.Reserved == state.Reservations.Values.Sum(), $"{where}: reserved is not the orders' sum");
            Assert.True((model.Added, model.Available, model.Reserved, model.Sold) == (state.TotalAdded, state.Available, state.Reserved, state.Sold),
                $"{where}: model {(model.Added, model.Available, model.Reserved, model.Sold)}, state {(state.TotalAdded, state.Available, state.Reserved, state.Sold)}");
            Assert.True(model.Orders.OrderBy(o => o.Key, StringComparer.Ordinal).SequenceEqual(state.Reservations), $"{where}: reservations differ");
        }

        // The stream exercised every path, not only the easy ones.
        foreach (var outcome in new[] { "Reserve", "Confirm", "Release", "Restock", RejectionCodes.SoldOut, RejectionCodes.ReservationNotFound, RejectionCodes.ValidationFailed })
        {
            Assert.True(outcomes.GetValueOrDefault(outcome) > 0, $"seed {seed}: no {outcome} in {Commands} commands");
        }
    }

    /// <summary>Applies the command to the model and says the rejection code it expects, or null.</summary>
    private static string? Expect(Model m, StockCommand command)
    {
        switch (command)
        {
            case Reserve r when m.Orders.ContainsKey(r.OrderId):
                return RejectionCodes.ValidationFailed;
            case Reserve r when r.Quantity > m.Available:
                return RejectionCodes.SoldOut;
            case Reserve r:
                m.Available -= r.Quantity;
                m.Orders[r.OrderId] = r.Quantity;
                return null;
            case Confirm c when m.Orders.Remove(c.OrderId, out var held):
                m.Sold += held;
                return null;
            case Release r when m.Orders.Remove(r.OrderId, out var held):
                m.Available += held;
                return null;
            case Confirm or Release:
                return RejectionCodes.ReservationNotFound;
            case Restock s:
                m.Added += s.AddStock;
                m.Available += s.AddStock;
                return null;
            default:
                throw new ArgumentOutOfRangeException(nameof(command), command, "not generated");
        }
    }

    private static StockState Apply(StockState state, StockCommand command) =>
        Product.Decide(state, command).Events.Aggregate(state, Product.Evolve);
}
