using Cohort.Domain.Carts;

namespace Cohort.Domain.Tests.Carts;

/// <summary>
/// Random commands through Decide and Evolve, checked after each against a plain dictionary: the lines are always
/// what the commands said, a checkout orders exactly the lines with ids unique in it and made from its id, and
/// empties the cart. Seeded, so a failure is reproducible: every message names the seed.
/// </summary>
public class CartPropertyTests
{
    private const int Commands = 5_000;
    private const int Skus = 12;

    public static TheoryData<int> Seeds => new(1, 7_919, 104_729);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void The_cart_follows_its_commands_and_a_checkout_orders_exactly_its_lines(int seed)
    {
        var random = new Random(seed);
        var state = CartState.Empty("alice");
        var model = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var checkouts = 0L;
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);

        for (var step = 0; step < Commands; step++)
        {
            CartCommand command = random.Next(10) switch
            {
                < 6 => new SetCart(new ValueList<CartLine>(Lines(random))),
                < 7 => new ClearCart(),
                _ => new CheckOut($"c-{step}"),
            };
            var decision = Cart.Decide(state, command);
            var where = $"seed {seed}, step {step}: {command}";
            var expected = Expect(model, command);
            Assert.True(expected == decision.Rejection?.Code, $"{where}: expected {expected ?? "acceptance"}, got {decision.Rejection?.Code ?? "acceptance"}");
            var before = state;
            state = decision.Events.Aggregate(state, Cart.Evolve);
            outcomes[expected ?? command.GetType().Name] = outcomes.GetValueOrDefault(expected ?? command.GetType().Name) + 1;

            if (command is CheckOut c && !decision.IsRejected)
            {
                var orders = Assert.IsType<CartCheckedOut>(Assert.Single(decision.Events)).Orders;
                Assert.True(orders.Select(o => (o.Sku, o.Quantity)).SequenceEqual(before.Lines.Select(l => (l.Key, l.Value))), $"{where}: orders are not the lines");
                Assert.True(orders.All(o => o.OrderId == Cart.OrderId(before.AccountId, c.CheckoutId, o.Sku)), $"{where}: an order id is not made of the account, checkout and sku");
                Assert.True(orders.Select(o => o.OrderId).Distinct().Count() == orders.Count, $"{where}: order ids repeat");
                Assert.Equal(decision.Events, Cart.Decide(before, command).Events);
                checkouts++;
                model.Clear();
            }
            Assert.True(model.SequenceEqual(state.Lines), $"{where}: model [{string.Join(", ", model)}], state [{string.Join(", ", state.Lines)}]");
            Assert.True(state.CheckedOut == checkouts, $"{where}: {state.CheckedOut} checkouts, {checkouts} expected");
        }

        foreach (var outcome in new[] { nameof(SetCart), nameof(ClearCart), nameof(CheckOut), RejectionCodes.ValidationFailed, RejectionCodes.CartEmpty })
        {
            Assert.True(outcomes.GetValueOrDefault(outcome) > 0, $"seed {seed}: no {outcome} in {Commands} commands");
        }
    }

    /// <summary>Up to a few lines of a small set of skus, sometimes with a zero quantity or a sku twice.</summary>
    private static IEnumerable<CartLine> Lines(Random random)
    {
        var count = random.Next(5);
        for (var i = 0; i < count; i++)
        {
            var quantity = random.Next(40) == 0 ? 0 : random.Next(1, 20);
            yield return new CartLine($"sku-{random.Next(Skus)}", quantity);
        }
    }

    /// <summary>Applies the command to the model (but a checkout, which the test checks itself) and says the rejection code it expects, or null.</summary>
    private static string? Expect(SortedDictionary<string, long> model, CartCommand command)
    {
        switch (command)
        {
            case SetCart s when s.Lines.Any(l => l.Quantity <= 0) || s.Lines.Select(l => l.Sku).Distinct().Count() != s.Lines.Count:
                return RejectionCodes.ValidationFailed;
            case SetCart s:
                model.Clear();
                foreach (var line in s.Lines)
                {
                    model[line.Sku] = line.Quantity;
                }
                return null;
            case ClearCart:
                model.Clear();
                return null;
            case CheckOut when model.Count == 0:
                return RejectionCodes.CartEmpty;
            case CheckOut:
                return null;
            default:
                throw new ArgumentOutOfRangeException(nameof(command), command, "not generated");
        }
    }
}
