using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Orders;
using Cohort.Domain;
using Npgsql;
using NpgsqlTypes;

namespace Cohort.Cli.Commands;

/// <summary>
/// What a flash-sale phase left, read straight from PostgreSQL: a purchase placed is an <c>order.placed.v1</c> row
/// of <c>order|&lt;FlashSaleOrders.IdOf(sku, account)&gt;</c>. Each purchase answered ok must have exactly one;
/// one answered with a refusal that places nothing (<c>sold_out</c>, <c>rate_limited</c>, <c>validation_failed</c>)
/// none; no order may have two. Then the product's stock, read from its entity once the orders have reserved
/// their units: each order placed holds one unit, and no unit was lost or made up.
/// </summary>
internal sealed class BenchFlashSaleCheck(NpgsqlDataSource db)
{
    /// <summary>The node's code for a request over its rate limit (answered before any order is asked).</summary>
    private const string RateLimited = "rate_limited";

    private static readonly string Placed = OrderFormats.RecordManifest("placed");

    private long start;

    /// <summary>Notes where the journal is before the run: every row of the run comes after.</summary>
    public async Task MarkStartAsync(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT to_regclass('event_journal') IS NOT NULL");
        if (!(bool)(await cmd.ExecuteScalarAsync(ct))!)
        {
            throw new InvalidOperationException("the database has no event_journal table: start a node on it first, it migrates the schema");
        }
        await using var position = db.CreateCommand("SELECT coalesce(max(ordering), 0) FROM event_journal");
        start = (long)(await position.ExecuteScalarAsync(ct))!;
    }

    public async Task<Findings> VerifyAsync(BenchFlashSalePhase phase, CancellationToken ct)
    {
        // Every account handed out, answered or not: a purchase that got no answer may have placed its order.
        var count = (int)(phase.End - phase.FirstAccount);
        var persistenceIds = new string[count];
        var expected = new short[count];
        for (var i = 0; i < count; i++)
        {
            persistenceIds[i] = PersistenceIds.Of(OrderRegion.TypeName, FlashSaleOrders.IdOf(phase.Sku, phase.AccountId(phase.FirstAccount + i)));
        }
        foreach (var (account, outcome) in phase.Answers)
        {
            expected[account - phase.FirstAccount] = outcome switch
            {
                BenchFlashSalePhase.Ok => 1,
                RejectionCodes.SoldOut or RateLimited or RejectionCodes.ValidationFailed => 2,
                _ => 0,
            };
        }
        await using var query = await HashJoinedQuery.OpenAsync(db, """
            WITH placed AS MATERIALIZED (
                SELECT persistence_id, count(*) AS placed FROM event_journal
                 WHERE ordering > $1 AND manifest = $2 AND starts_with(persistence_id, $3) GROUP BY persistence_id
            ), requests AS (
                SELECT r.expect, coalesce(p.placed, 0) AS placed
                  FROM unnest($4::text[], $5::smallint[]) AS r(persistence_id, expect)
                  LEFT JOIN placed p ON p.persistence_id = r.persistence_id
            )
            SELECT count(*) FILTER (WHERE expect = 1),
                   count(*) FILTER (WHERE expect = 1 AND placed = 1),
                   count(*) FILTER (WHERE expect = 1 AND placed = 0),
                   count(*) FILTER (WHERE placed > 1),
                   count(*) FILTER (WHERE expect = 2 AND placed > 0),
                   count(*) FILTER (WHERE expect = 0 AND placed > 0),
                   coalesce(sum(placed), 0)
              FROM requests
            """, ct);
        var cmd = query.Command;
        cmd.Parameters.AddWithValue(start);
        cmd.Parameters.AddWithValue(Placed);
        cmd.Parameters.AddWithValue(PersistenceIds.Prefix(OrderRegion.TypeName));
        cmd.Parameters.Add(new NpgsqlParameter { Value = persistenceIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = expected, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Smallint });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new Findings(count, reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
            reader.GetInt64(5), reader.GetInt64(6));
    }

    /// <summary>
    /// The product's stock as its entity has it, once its reserved units equal <paramref name="placed"/> (the orders
    /// reserve after they are answered), or, without it, once two reads a second apart agree; the last read when
    /// <paramref name="deadline"/> passes first; null when the product could not be read.
    /// </summary>
    public async Task<Stock?> SettledStockAsync(HttpClient http, string sku, long? placed, TimeSpan deadline, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        Stock? previous = null;
        while (true)
        {
            var stock = await http.GetFromJsonAsync<Stock>($"api/v1/products/{sku}", ct);
            if (stock is not null && (placed is { } p ? stock.Reserved == p : stock == previous))
            {
                return stock;
            }
            if (Stopwatch.GetElapsedTime(started) > deadline)
            {
                return stock;
            }
            previous = stock;
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
    }

    public static string Describe(Stock? stock) => stock is null
        ? "not readable"
        : string.Create(CultureInfo.InvariantCulture, $"available {stock.Available}, reserved {stock.Reserved}, sold {stock.Sold}");

    /// <summary>A product's units, as GET /api/v1/products/{sku} answers them.</summary>
    public sealed record Stock(long Available, long Reserved, long Sold);

    /// <summary>
    /// A phase as the journal has it: of <see cref="Sent"/> purchases, <see cref="AnsweredOk"/> answered ok, of which
    /// <see cref="PlacedOnce"/> have their order placed once and <see cref="Missing"/> none; <see cref="Duplicated"/>
    /// orders placed more than once, <see cref="RefusedButPlaced"/> purchases refused whose order exists all the same;
    /// <see cref="UnansweredPlaced"/> purchases without an answer whose order was placed (an answer cut off by the end
    /// of the run); <see cref="Placed"/> orders placed by the phase in all.
    /// </summary>
    public sealed record Findings(
        long Sent, long AnsweredOk, long PlacedOnce, long Missing, long Duplicated, long RefusedButPlaced, long UnansweredPlaced, long Placed)
    {
        public bool Exact => Missing == 0 && Duplicated == 0 && RefusedButPlaced == 0 && PlacedOnce == AnsweredOk;

        public string Describe(string phase) => string.Create(CultureInfo.InvariantCulture,
            $"  postgres, {phase}: {Sent} purchases sent, {AnsweredOk} answered ok: order placed once {PlacedOnce}, missing {Missing}; orders placed twice {Duplicated}, ") +
            string.Create(CultureInfo.InvariantCulture,
                $"refused but placed {RefusedButPlaced}, unanswered but placed {UnansweredPlaced}; orders placed {Placed}: ") +
            (Exact ? "PASS" : "FAIL");
    }
}
