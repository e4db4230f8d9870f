using System.Collections.Immutable;

namespace Cohort.Domain.Carts;

/// <summary>
/// The cart entity's behaviour, one cart per account. Decide checks a command against the cart and answers with
/// events or a rejection; Evolve applies an event and asserts that the cart stays within <see cref="CartRules"/>:
/// every line a valid sku with a positive quantity, at most <see cref="CartRules.MaxLines"/> of them.
/// </summary>
public static class Cart
{
    /// <summary>
    /// The id of the order a checkout makes of one line: the same checkout always makes the same orders, and no two
    /// accounts' checkouts make the same one.
    /// </summary>
    public static string OrderId(string accountId, string checkoutId, string sku) => DerivedId.Of("cart", accountId, checkoutId, sku);

    public static Decision<CartEvent> Decide(CartState state, CartCommand command) => command switch
    {
        SetCart c when CartRules.Invalid(c.Lines) is { } error => Decision<CartEvent>.Reject(RejectionCodes.ValidationFailed, error),
        SetCart c => Decision<CartEvent>.Accept(new CartLinesSet(new ValueList<CartLine>(c.Lines.OrderBy(l => l.Sku, StringComparer.Ordinal)))),
        ClearCart => Decision<CartEvent>.Accept(new CartCleared()),
        CheckOut when state.Lines.IsEmpty =>
            Decision<CartEvent>.Reject(RejectionCodes.CartEmpty, $"the cart of account '{state.AccountId}' is empty: there is nothing to check out"),
        CheckOut c => Orders(state, c),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, "unknown cart command"),
    };

    public static CartState Evolve(CartState state, CartEvent @event)
    {
        var next = @event switch
        {
            CartLinesSet e when CartRules.Invalid(e.Lines) is { } error => throw Broken(state, e, error),
            CartLinesSet e => state with { Lines = e.Lines.ToImmutableSortedDictionary(l => l.Sku, l => l.Quantity, StringComparer.Ordinal) },
            CartCleared => state with { Lines = state.Lines.Clear() },
            CartCheckedOut e when !Matches(state, e) => throw Broken(state, e, "its orders are not the cart's lines, one each, with valid order ids"),
            CartCheckedOut => state with { Lines = state.Lines.Clear(), CheckedOut = state.CheckedOut + 1 },
            _ => throw new ArgumentOutOfRangeException(nameof(@event), @event, "unknown cart event"),
        };
        AssertWithinRules(next, @event);
        return next;
    }

    private static Decision<CartEvent> Orders(CartState state, CheckOut c)
    {
        var orders = state.Lines.Select(line => new CartOrder(OrderId(state.AccountId, c.CheckoutId, line.Key), line.Key, line.Value)).ToList();
        return Decision<CartEvent>.Accept(new CartCheckedOut(new ValueList<CartOrder>(orders)));
    }

    private static bool Matches(CartState state, CartCheckedOut e) =>
        e.Orders.Count == state.Lines.Count && e.Orders.Count > 0
        && e.Orders.Select(o => o.OrderId).Distinct(StringComparer.Ordinal).Count() == e.Orders.Count
        && e.Orders.All(o => Identifier.IsValid(o.OrderId) && state.Lines.TryGetValue(o.Sku, out var quantity) && quantity == o.Quantity);

    private static void AssertWithinRules(CartState s, CartEvent @event)
    {
        if (s.Lines.Count > CartRules.MaxLines || s.CheckedOut < 0
            || s.Lines.Any(line => !Identifier.IsValid(line.Key) || !CartRules.IsValidQuantity(line.Value)))
        {
            throw new InvariantViolationException($"cart {s.AccountId}: {@event} would leave {s.Lines.Count} lines [{string.Join(", ", s.Lines)}]");
        }
    }

    private static InvariantViolationException Broken(CartState state, CartEvent @event, string why) =>
        new($"cart {state.AccountId}: malformed event {@event}: {why}");
}
