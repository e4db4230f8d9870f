using System.Collections.Immutable;

namespace Cohort.Domain.Stock;

/// <summary>
/// One product (one SKU): its details and its units. Every unit ever added is exactly one of available, reserved
/// for an order, or sold; <see cref="Reservations"/> holds each order's reserved units.
/// </summary>
public sealed record StockState(
    string Sku,
    bool Exists,
    string Name,
    decimal Price,
    string Asset,
    string? Category,
    long Available,
    long Reserved,
    long Sold,
    long TotalAdded,
    ImmutableSortedDictionary<string, long> Reservations)
{
    public static StockState Empty(string sku) =>
        new(sku, false, "", 0m, "", null, 0, 0, 0, 0, ImmutableSortedDictionary.Create<string, long>(StringComparer.Ordinal));
}
