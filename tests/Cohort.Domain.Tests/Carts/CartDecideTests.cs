using Cohort.Domain.Carts;

namespace Cohort.Domain.Tests.Carts;

/// <summary>Every command of a cart, accepted and refused, and the events Evolve refuses to apply.</summary>
public class CartDecideTests
{
    private static readonly CartState None = CartState.Empty("alice");

    private static SetCart Set(params (string Sku, long Quantity)[] lines) => new(new ValueList<CartLine>(lines.Select(l => new CartLine(l.Sku, l.Quantity))));

    private static CartState Apply(CartState state, params CartCommand[] commands)
    {
        foreach (var command in commands)
        {
            var decision = Cart.Decide(state, command);
            Assert.False(decision.IsRejected, decision.Rejection?.Message);
            state = decision.Events.Aggregate(state, Cart.Evolve);
        }
        return state;
    }

    private static Rejection Rejected(CartState state, CartCommand command, string code)
    {
        var decision = Cart.Decide(state, command);
        Assert.Equal(code, decision.Rejection?.Code);
        Assert.Empty(decision.Events);
        return decision.Rejection!;
    }

    private static CartState Mugs() => Apply(None, Set(("mug-1", 2), ("cup-1", 1)));

    [Fact]
    public void A_new_account_has_an_empty_cart()
    {
        Assert.Empty(None.Lines);
        Assert.Equal(("alice", 0L), (None.AccountId, None.CheckedOut));
    }

    [Fact]
    public void Setting_lines_replaces_every_line_and_keeps_them_in_sku_order()
    {
        var decision = Cart.Decide(None, Set(("mug-1", 2), ("cup-1", 1)));
        Assert.Equal([new CartLinesSet(new ValueList<CartLine>([new CartLine("cup-1", 1), new CartLine("mug-1", 2)]))], decision.Events);
        Assert.Equal([KeyValuePair.Create("cup-1", 1L), KeyValuePair.Create("mug-1", 2L)], Mugs().Lines);

        var replaced = Apply(Mugs(), Set(("plate-1", 4)));
        Assert.Equal([KeyValuePair.Create("plate-1", 4L)], replaced.Lines);
    }

    [Fact]
    public void Setting_no_lines_empties_the_cart() => Assert.Empty(Apply(Mugs(), Set()).Lines);

    [Fact]
    public void Clearing_empties_the_cart_even_an_empty_one()
    {
        Assert.Equal([new CartCleared()], Cart.Decide(Mugs(), new ClearCart()).Events);
        Assert.Empty(Apply(Mugs(), new ClearCart()).Lines);
        Assert.Empty(Apply(None, new ClearCart()).Lines);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(CartRules.MaxQuantity + 1)]
    public void A_quantity_outside_1_to_the_maximum_is_refused_and_a_zero_is_said_to_be_no_line(long quantity)
    {
        var rejection = Rejected(Mugs(), Set(("mug-1", 1), ("cup-1", quantity)), RejectionCodes.ValidationFailed);
        Assert.Contains("quantity", rejection.Message);
        Assert.Contains("quantity of 0 is not a line", rejection.Message);
        Assert.Contains("'cup-1'", rejection.Message);
    }

    [Fact]
    public void The_largest_quantity_and_the_most_lines_are_accepted()
    {
        var lines = Enumerable.Range(0, CartRules.MaxLines).Select(i => ($"sku-{i:D3}", CartRules.MaxQuantity)).ToArray();
        Assert.Equal(CartRules.MaxLines, Apply(None, Set(lines)).Lines.Count);
    }

    [Fact]
    public void More_lines_than_the_maximum_are_refused()
    {
        var lines = Enumerable.Range(0, CartRules.MaxLines + 1).Select(i => ($"sku-{i}", 1L)).ToArray();
        Assert.Contains($"at most {CartRules.MaxLines} lines", Rejected(None, Set(lines), RejectionCodes.ValidationFailed).Message);
    }

    [Fact]
    public void A_sku_on_two_lines_is_refused() =>
        Assert.Contains("'mug-1' is on two lines", Rejected(None, Set(("mug-1", 1), ("cup-1", 1), ("mug-1", 2)), RejectionCodes.ValidationFailed).Message);

    [Theory]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("mug/1")]
    public void A_sku_that_is_not_an_identifier_is_refused(string sku) =>
        Assert.Contains("sku must be", Rejected(None, Set((sku, 1)), RejectionCodes.ValidationFailed).Message);

    [Fact]
    public void A_sku_of_the_longest_identifier_is_accepted_one_longer_is_not()
    {
        Assert.Single(Apply(None, Set((new string('s', Identifier.MaxLength), 1))).Lines);
        Rejected(None, Set((new string('s', Identifier.MaxLength + 1), 1)), RejectionCodes.ValidationFailed);
    }

    [Fact]
    public void A_checkout_makes_one_order_per_line_with_ids_from_its_account_and_request_id_and_empties_the_cart()
    {
        var decision = Cart.Decide(Mugs(), new CheckOut("c-1"));
        var account = Mugs().AccountId;
        Assert.Equal([new CartCheckedOut(new ValueList<CartOrder>([
                new CartOrder(Cart.OrderId(account, "c-1", "cup-1"), "cup-1", 1), new CartOrder(Cart.OrderId(account, "c-1", "mug-1"), "mug-1", 2)]))],
            decision.Events);
        var after = Apply(Mugs(), new CheckOut("c-1"));
        Assert.Empty(after.Lines);
        Assert.Equal(1, after.CheckedOut);
        // Made of all three parts, so separators inside them cannot make two checkouts' orders the same.
        Assert.Equal(Cart.OrderId("alice", "c-1", "mug-1"), Cart.OrderId("alice", "c-1", "mug-1"));
        Assert.NotEqual(Cart.OrderId("alice", "c-1", "mug-1"), Cart.OrderId("bob", "c-1", "mug-1"));
        Assert.NotEqual(Cart.OrderId("a", "r:a", "b"), Cart.OrderId("a", "r", "a:b"));
        Assert.True(Identifier.IsValid(Cart.OrderId(new string('a', 128), new string('r', 128), new string('s', 128))));
    }

    [Fact]
    public void An_empty_cart_cannot_be_checked_out()
    {
        Assert.Contains("empty", Rejected(None, new CheckOut("c-1"), RejectionCodes.CartEmpty).Message);
        Rejected(Apply(Mugs(), new CheckOut("c-1")), new CheckOut("c-2"), RejectionCodes.CartEmpty);
        Rejected(Apply(Mugs(), new ClearCart()), new CheckOut("c-3"), RejectionCodes.CartEmpty);
    }

    [Fact]
    public void Evolve_refuses_events_that_would_break_the_cart()
    {
        Assert.Throws<InvariantViolationException>(() => Cart.Evolve(None, new CartLinesSet(new ValueList<CartLine>([new CartLine("mug-1", 0)]))));
        Assert.Throws<InvariantViolationException>(() => Cart.Evolve(None,
            new CartLinesSet(new ValueList<CartLine>(Enumerable.Range(0, CartRules.MaxLines + 1).Select(i => new CartLine($"s-{i}", 1))))));
        // A checkout must be the cart's lines exactly: not of an empty cart, not other quantities, not a line missing.
        Assert.Throws<InvariantViolationException>(() => Cart.Evolve(None, new CartCheckedOut(ValueList<CartOrder>.Empty)));
        Assert.Throws<InvariantViolationException>(() => Cart.Evolve(Mugs(),
            new CartCheckedOut(new ValueList<CartOrder>([new CartOrder("c:cup-1", "cup-1", 1), new CartOrder("c:mug-1", "mug-1", 3)]))));
        Assert.Throws<InvariantViolationException>(() => Cart.Evolve(Mugs(), new CartCheckedOut(new ValueList<CartOrder>([new CartOrder("c:mug-1", "mug-1", 2)]))));
        Assert.Throws<InvariantViolationException>(() => Cart.Evolve(Mugs(),
            new CartCheckedOut(new ValueList<CartOrder>([new CartOrder("c:x", "cup-1", 1), new CartOrder("c:x", "mug-1", 2)]))));
    }
}
