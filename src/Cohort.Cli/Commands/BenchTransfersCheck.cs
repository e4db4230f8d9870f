using System.Diagnostics;
using Npgsql;
using static Cohort.Cli.Commands.BenchTransfers;

namespace Cohort.Cli.Commands;

/// <summary>
/// What PostgreSQL holds of one transfer run: the run's accounts in <c>account_balances</c>, its transfers in
/// <c>transfers</c>. Every look-up goes by primary key with the run's own ids.
/// </summary>
internal sealed class BenchTransfersCheck(NpgsqlDataSource db, string[] accountIds)
{
    /// <summary>Fails early, with a clear message, when the database is unreachable or not migrated yet.</summary>
    public async Task EnsureSchemaAsync(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT to_regclass('transfers') IS NOT NULL AND to_regclass('account_balances') IS NOT NULL");
        if (await cmd.ExecuteScalarAsync(ct) is not true)
        {
            throw new InvalidOperationException("the database has no transfers or account_balances table: start a node on it first, it migrates the schema");
        }
    }

    /// <summary>The run's accounts that hold USDT, and their USDT (available and frozen).</summary>
    public async Task<Balances> BalancesAsync(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT count(*), coalesce(sum(available), 0), coalesce(sum(frozen), 0)
              FROM account_balances WHERE account_id = ANY($1) AND asset = $2
            """);
        cmd.Parameters.Add(TextArray(accountIds));
        cmd.Parameters.AddWithValue(Asset);
        cmd.CommandTimeout = 120;
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new Balances(reader.GetInt64(0), reader.GetDecimal(1), reader.GetDecimal(2));
    }

    /// <summary>
    /// Waits until the first <paramref name="target"/> deposits show (all of them: with the exact total); false when
    /// nothing moved for <paramref name="stallTimeout"/>.
    /// </summary>
    public async Task<bool> WaitFundedAsync(int target, TimeSpan stallTimeout, CancellationToken ct)
    {
        var expected = FundAmount * accountIds.Length;
        var last = new Balances(-1, -1, -1);
        var lastChange = Stopwatch.GetTimestamp();
        while (true)
        {
            var balances = await BalancesAsync(ct);
            if (balances.Accounts >= target && (target < accountIds.Length || balances.Total == expected))
            {
                return true;
            }
            if (balances != last)
            {
                last = balances;
                lastChange = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(lastChange) > stallTimeout)
            {
                Console.Error.WriteLine(Invariant(
                    $"bench: funding stalled at {balances.Accounts} of {target} accounts ({balances.Total} {Asset}) for {stallTimeout.TotalSeconds:0} s"));
                return false;
            }
            await Task.Delay(100, ct);
        }
    }

    /// <summary>
    /// Where the given transfers are: counted by status, and how many differ from what their answer said
    /// (<c>expected</c>: "completed", "rejected", or "" for "not answered: final or absent, never pending").
    /// </summary>
    public async Task<Statuses> StatusesAsync(IReadOnlyList<string> transferIds, IReadOnlyList<string> expected, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            SELECT count(*) FILTER (WHERE t.status IS NULL),
                   count(*) FILTER (WHERE t.status = 'pending'),
                   count(*) FILTER (WHERE t.status = 'completed'),
                   count(*) FILTER (WHERE t.status = 'rejected'),
                   count(*) FILTER (WHERE u.expected <> '' AND t.status IS DISTINCT FROM u.expected)
              FROM unnest($1::text[], $2::text[]) AS u(id, expected)
              LEFT JOIN transfers t ON t.transfer_id = u.id
            """);
        cmd.Parameters.Add(TextArray(transferIds));
        cmd.Parameters.Add(TextArray(expected));
        cmd.CommandTimeout = 120;
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new Statuses(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
    }

    /// <summary>
    /// The end of a run: waits (up to <paramref name="settle"/>) for every transfer to leave "pending" (one that timed
    /// out may still be on its way), then checks the statuses and that the run's accounts hold exactly what was
    /// deposited. Prints what it found; true when all is well.
    /// </summary>
    public async Task<bool> VerifyAsync(
        string label, IReadOnlyList<string> transferIds, IReadOnlyList<string> expected, bool allMustExist, TimeSpan settle, CancellationToken ct)
    {
        var until = Stopwatch.GetTimestamp() + (long)(settle.TotalSeconds * Stopwatch.Frequency);
        var statuses = await StatusesAsync(transferIds, expected, ct);
        while (statuses.Pending > 0 && Stopwatch.GetTimestamp() < until)
        {
            await Task.Delay(500, ct);
            statuses = await StatusesAsync(transferIds, expected, ct);
        }
        var balances = await BalancesAsync(ct);
        var deposited = FundAmount * accountIds.Length;
        var final = statuses.Pending == 0 && statuses.Mismatched == 0 && (!allMustExist || statuses.Absent == 0);
        var conserved = balances.Accounts == accountIds.Length && balances.Total == deposited;
        Console.WriteLine(Invariant(
            $"  postgres: {transferIds.Count} transfers sent: completed {statuses.Completed}, rejected {statuses.Rejected}, pending {statuses.Pending}, absent {statuses.Absent}, ") +
            Invariant($"status differing from the answer {statuses.Mismatched}: {(final ? "OK, every transfer final" : "NOT ALL FINAL OR WRONG STATUS")}"));
        Console.WriteLine(Invariant(
            $"  postgres: {label} accounts holding {Asset} {balances.Accounts}/{accountIds.Length}, total {balances.Total} (available {balances.Available}, frozen {balances.Frozen}), deposited {deposited}: ") +
            (conserved ? "OK, conserved" : "NOT CONSERVED"));
        return final && conserved;
    }

    public sealed record Balances(long Accounts, decimal Available, decimal Frozen)
    {
        public decimal Total => Available + Frozen;
    }

    public sealed record Statuses(long Absent, long Pending, long Completed, long Rejected, long Mismatched);
}
