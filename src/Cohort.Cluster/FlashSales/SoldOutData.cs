using Akka.Cluster;
using Akka.DistributedData;

namespace Cohort.Cluster.FlashSales;

/// <summary>
/// The replicated data behind every node's <see cref="SoldOutBoard"/>: one <see cref="LWWDictionary{TKey,TValue}"/>
/// from SKU to a <c>long</c> whose magnitude is the stock entity's sequence number at the publication and whose sign
/// says sold out (negative) or available (positive). Plain strings and longs, so Akka.DistributedData's own
/// serializers (and Akka.Remote's primitive one) carry it and no Cohort format is needed.
/// </summary>
/// <remarks>
/// The register's timestamp is that sequence number rather than a clock, so when two replicas meet the later state
/// of the product wins whatever node wrote it and whenever, and a replica never takes an older publication over a
/// newer one it holds. A SKU stays in the dictionary once published: products are never deleted.
/// </remarks>
public static class SoldOutData
{
    public static readonly LWWDictionaryKey<string, long> Key = new("cohort-sold-out");

    public static long Encode(long version, bool soldOut) =>
        version > 0 ? (soldOut ? -version : version) : throw new ArgumentOutOfRangeException(nameof(version), version, "a published state has a sequence number");

    public static bool IsSoldOut(long value) => value < 0;

    public static long VersionOf(long value) => Math.Abs(value);

    /// <summary>The dictionary with <paramref name="change"/>, unless it already holds that version of the product or a later one.</summary>
    public static LWWDictionary<string, long> With(LWWDictionary<string, long> data, UniqueAddress node, AvailabilityChanged change)
    {
        if (data.TryGetValue(change.Sku, out var held) && VersionOf(held) >= change.Version)
        {
            return data;
        }
        return data.SetItem(node, change.Sku, Encode(change.Version, change.SoldOut), (_, value) => VersionOf(value));
    }

    /// <summary>The products the dictionary holds as sold out.</summary>
    public static IEnumerable<string> SoldOut(LWWDictionary<string, long> data) =>
        data.Entries.Where(e => IsSoldOut(e.Value)).Select(e => e.Key);
}
