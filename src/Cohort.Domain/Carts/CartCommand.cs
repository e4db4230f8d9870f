namespace Cohort.Domain.Carts;

/// <summary>A request to change an account's cart.</summary>
public abstract record CartCommand;

/// <summary>Replaces every line of the cart with these, in any order; no lines empties it.</summary>
public sealed record SetCart(ValueList<CartLine> Lines) : CartCommand;

/// <summary>Empties the cart.</summary>
public sealed record ClearCart : CartCommand;

/// <summary>
/// Turns every line into an order and empties the cart. <see cref="CheckoutId"/> is the command's request id: it
/// makes the order ids, so a checkout sent again makes the same orders.
/// </summary>
public sealed record CheckOut(string CheckoutId) : CartCommand;
