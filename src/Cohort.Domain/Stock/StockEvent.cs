namespace Cohort.Domain.Stock;

/// <summary>A change that happened to a product.</summary>
public abstract record StockEvent;

public sealed record ProductCreated(string Name, decimal Price, string Asset, string? Category, long Units) : StockEvent;

public sealed record Restocked(long Units) : StockEvent;

/// <summary>The details that changed; a null one did not.</summary>
public sealed record DetailsChanged(string? Name, decimal? Price, string? Category) : StockEvent;

public sealed record StockReserved(string OrderId, long Quantity) : StockEvent;

/// <summary>Carries the order's quantity so that Evolve can check it against the reservation it ends.</summary>
public sealed record ReservationConfirmed(string OrderId, long Quantity) : StockEvent;

public sealed record ReservationReleased(string OrderId, long Quantity) : StockEvent;
