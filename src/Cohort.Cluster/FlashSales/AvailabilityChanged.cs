namespace Cohort.Cluster.FlashSales;

/// <summary>
/// A stock actor tells its node's <see cref="SoldOutReplica"/> that its product went sold out or available, as of
/// journal sequence number <paramref name="Version"/>. Sent to the local replica only, so it is never serialized.
/// </summary>
public sealed record AvailabilityChanged(string Sku, long Version, bool SoldOut);
