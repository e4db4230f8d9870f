namespace Cohort.Domain.Stock;

/// <summary>A request to change a product.</summary>
public abstract record StockCommand;

/// <summary>
/// Creates the product with its first units, or adds units to it. Name, price and asset are always given: on an
/// existing product they must be its own, so a restock can never change details by accident.
/// </summary>
public sealed record Restock(string Name, decimal Price, string Asset, long AddStock, string? Category) : StockCommand;

/// <summary>Changes some of the product's details; a null leaves one as it is.</summary>
public sealed record ChangeDetails(string? Name, decimal? Price, string? Category) : StockCommand;

/// <summary>Holds units of the product for an order.</summary>
public sealed record Reserve(string OrderId, long Quantity) : StockCommand;

/// <summary>The order was paid: its reserved units are sold.</summary>
public sealed record Confirm(string OrderId) : StockCommand;

/// <summary>The order was dropped: its reserved units are available again.</summary>
public sealed record Release(string OrderId) : StockCommand;
