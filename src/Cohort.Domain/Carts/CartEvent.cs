namespace Cohort.Domain.Carts;

/// <summary>A change that happened to a cart.</summary>
public abstract record CartEvent;

/// <summary>The cart now holds exactly these lines, in sku order.</summary>
public sealed record CartLinesSet(ValueList<CartLine> Lines) : CartEvent;

public sealed record CartCleared : CartEvent;

/// <summary>The cart's lines became these orders, one per line in sku order, and the cart is empty.</summary>
public sealed record CartCheckedOut(ValueList<CartOrder> Orders) : CartEvent;
