using System.Diagnostics;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Entities.Transfers;
using Npgsql;
using static Cohort.Cli.Commands.BenchTransfers;

namespace Cohort.Cli.Commands;

/// <summary>
/// What the journal holds of one transfer run. A transfer's own rows (<c>transfer|&lt;id&gt;</c>) tell its status:
/// <c>transfer.completed.v1</c> or <c>transfer.rejected.v1</c> once final, <c>transfer.started.v1</c> before. Its
/// money moves in the accounts' rows (<c>account|&lt;id&gt;</c>): a debit of the sender, then a credit of the
/// receiver or a refund of the sender, each carrying the transfer's id. A balance is the <c>available</c> and
/// <c>frozen</c> of the account's last row that changed it. Every look-up goes by persistence id with the run's
/// own ids, so the journal's index serves it.
/// </summary>
internal sealed class BenchTransfersCheck(NpgsqlDataSource db, string[] accountIds)
{
    private readonly string[] accountPersistenceIds = accountIds.Select(id => PersistenceIds.Of(AccountRegion.TypeName, id)).ToArray();

    public static string Completed => TransferFormats.RecordManifest("completed");

    public static string Rejected => TransferFormats.RecordManifest("rejected");

    private static string Started => TransferFormats.RecordManifest("started");

    private static string Debited => AccountFormats.RecordManifest("transferDebited");

    private static string Credited => AccountFormats.RecordManifest("transferCredited");

    private static string Refunded => AccountFormats.RecordManifest("transferRefunded");

    public static string TransferPersistenceId(string transferId) => PersistenceIds.Of(TransferRegion.TypeName, transferId);

    /// <summary>Fails early, with a clear message, when the database is unreachable or not migrated yet.</summary>
    public async Task EnsureSchemaAsync(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT to_regclass('event_journal') IS NOT NULL");
        if (await cmd.ExecuteScalarAsync(ct) is not true)
        {
            throw new InvalidOperationException("the database has no event_journal table: start a node on it first, it migrates the schema");
        }
    }

    /// <summary>The run's accounts that hold USDT, and their USDT (available and frozen), from each one's last balance row.</summary>
    public async Task<Balances> BalancesAsync(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($$"""
            SELECT count(*), coalesce(sum((last.doc ->> 'available')::numeric), 0), coalesce(sum((last.doc ->> 'frozen')::numeric), 0)
              FROM unnest($1::text[]) AS a(persistence_id)
             CROSS JOIN LATERAL (
                   SELECT convert_from(j.message, 'UTF8')::jsonb AS doc FROM event_journal j
                    WHERE j.persistence_id = a.persistence_id AND j.manifest <> '{{Cohort.Cluster.Entities.EntityFormats.RefusedManifest}}'
                    ORDER BY j.sequence_number DESC LIMIT 1) last
             WHERE last.doc ->> 'asset' = $2
            """);
        cmd.Parameters.Add(TextArray(accountPersistenceIds));
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
    /// Where the given transfers are, from their journals: counted by status, and how many differ from what their
    /// answer said (<c>Expected</c>: "completed", "rejected", or "" for "not answered: final or absent, never pending").
    /// </summary>
    public async Task<Statuses> StatusesAsync(IReadOnlyList<SentTransfer> transfers, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"""
            SELECT count(*) FILTER (WHERE s.status IS NULL),
                   count(*) FILTER (WHERE s.status = 'pending'),
                   count(*) FILTER (WHERE s.status = 'completed'),
                   count(*) FILTER (WHERE s.status = 'rejected'),
                   count(*) FILTER (WHERE u.expected <> '' AND s.status IS DISTINCT FROM u.expected)
              FROM unnest($1::text[], $2::text[]) AS u(persistence_id, expected)
             CROSS JOIN LATERAL ({StatusOf("u.persistence_id")}) s
            """);
        cmd.Parameters.Add(TextArray(transfers.Select(t => TransferPersistenceId(t.Id)).ToList()));
        cmd.Parameters.Add(TextArray(transfers.Select(t => t.Expected).ToList()));
        cmd.CommandTimeout = 120;
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new Statuses(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
    }

    /// <summary>
    /// Whether each transfer moved exactly what its status says, from the legs in the run's accounts: completed, one
    /// debit of the sender and one credit of the receiver, each of the transfer's amount; rejected, nothing, or a
    /// debit and a refund of the sender; never started, nothing. Legs of a transfer the run never sent are strays.
    /// </summary>
    public async Task<Legs> LegsAsync(IReadOnlyList<SentTransfer> transfers, CancellationToken ct)
    {
        // The payload is decoded for account rows only (ANY($1) selects them; the CASE makes sure whatever the plan).
        await using var query = await HashJoinedQuery.OpenAsync(db, $$"""
            WITH sent AS (
                SELECT * FROM unnest($2::text[], $3::text[], $4::text[]) AS s(id, from_pid, to_pid)
            ), legs AS (
                SELECT j.persistence_id, j.manifest, d.doc ->> 'transferId' AS id, (d.doc ->> 'amount')::numeric AS amount
                  FROM event_journal j
                 CROSS JOIN LATERAL (SELECT CASE WHEN starts_with(j.persistence_id, '{{PersistenceIds.Prefix(AccountRegion.TypeName)}}')
                                                 THEN convert_from(j.message, 'UTF8')::jsonb END AS doc) d
                 WHERE j.persistence_id = ANY($1) AND j.manifest IN ('{{Debited}}', '{{Credited}}', '{{Refunded}}')
            ), per_transfer AS (
                SELECT l.id, count(*) AS legs, bool_and(s.id IS NOT NULL) AS sent,
                       count(*) FILTER (WHERE l.manifest = '{{Debited}}' AND l.persistence_id = s.from_pid AND l.amount = $5) AS debits,
                       count(*) FILTER (WHERE l.manifest = '{{Credited}}' AND l.persistence_id = s.to_pid AND l.amount = $5) AS credits,
                       count(*) FILTER (WHERE l.manifest = '{{Refunded}}' AND l.persistence_id = s.from_pid AND l.amount = $5) AS refunds
                  FROM legs l LEFT JOIN sent s ON s.id = l.id
                 GROUP BY l.id
            ), statuses AS (
                SELECT s.id, st.status FROM sent s CROSS JOIN LATERAL ({{StatusOf("'" + PersistenceIds.Prefix(TransferRegion.TypeName) + "' || s.id")}}) st
            )
            SELECT count(*) FILTER (WHERE st.status = 'completed' AND p.legs = 2 AND p.debits = 1 AND p.credits = 1),
                   count(*) FILTER (WHERE st.status = 'rejected' AND (p.id IS NULL OR p.legs = 2 AND p.debits = 1 AND p.refunds = 1)),
                   count(*) FILTER (WHERE st.status IS NULL AND p.id IS NULL),
                   count(*) FILTER (WHERE st.status = 'pending'),
                   (SELECT count(*) FROM per_transfer WHERE NOT sent)
              FROM statuses st LEFT JOIN per_transfer p ON p.id = st.id
            """, ct);
        var cmd = query.Command;
        cmd.Parameters.Add(TextArray(accountPersistenceIds));
        cmd.Parameters.Add(TextArray(transfers.Select(t => t.Id).ToList()));
        cmd.Parameters.Add(TextArray(transfers.Select(t => PersistenceIds.Of(AccountRegion.TypeName, t.From)).ToList()));
        cmd.Parameters.Add(TextArray(transfers.Select(t => PersistenceIds.Of(AccountRegion.TypeName, t.To)).ToList()));
        cmd.Parameters.AddWithValue(TransferAmount);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var whole = reader.GetInt64(0) + reader.GetInt64(1) + reader.GetInt64(2);
        return new Legs(transfers.Count, whole, reader.GetInt64(3), reader.GetInt64(4));
    }

    /// <summary>
    /// The end of a run: waits (up to <paramref name="settle"/>) for every transfer to leave "pending" (one that timed
    /// out may still be on its way), then checks the statuses, that every transfer moved exactly what its status
    /// says, and that the run's accounts hold exactly what was deposited. Prints what it found; true when all is well.
    /// </summary>
    public async Task<bool> VerifyAsync(string label, IReadOnlyList<SentTransfer> transfers, bool allMustExist, TimeSpan settle, CancellationToken ct)
    {
        Console.WriteLine(BenchCommand.CheckingLine);
        var until = Stopwatch.GetTimestamp() + (long)(settle.TotalSeconds * Stopwatch.Frequency);
        var statuses = await StatusesAsync(transfers, ct);
        while (statuses.Pending > 0 && Stopwatch.GetTimestamp() < until)
        {
            await Task.Delay(500, ct);
            statuses = await StatusesAsync(transfers, ct);
        }
        var legs = await LegsAsync(transfers, ct);
        var balances = await BalancesAsync(ct);
        var deposited = FundAmount * accountIds.Length;
        var final = statuses.Pending == 0 && statuses.Mismatched == 0 && (!allMustExist || statuses.Absent == 0);
        var conserved = balances.Accounts == accountIds.Length && balances.Total == deposited;
        Console.WriteLine(Invariant(
            $"  postgres: {transfers.Count} transfers sent: completed {statuses.Completed}, rejected {statuses.Rejected}, pending {statuses.Pending}, absent {statuses.Absent}, ") +
            Invariant($"status differing from the answer {statuses.Mismatched}: {(final ? "OK, every transfer final" : "NOT ALL FINAL OR WRONG STATUS")}"));
        Console.WriteLine(Invariant(
            $"  postgres: transfers whose account legs match their status {legs.Whole}/{legs.Transfers} (pending {legs.Pending}), legs of transfers never sent {legs.Stray}: ") +
            (legs.Ok ? "OK, every transfer whole" : "NOT WHOLE"));
        Console.WriteLine(Invariant(
            $"  postgres: {label} accounts holding {Asset} {balances.Accounts}/{accountIds.Length}, total {balances.Total} (available {balances.Available}, frozen {balances.Frozen}), deposited {deposited}: ") +
            (conserved ? "OK, conserved" : "NOT CONSERVED"));
        return final && legs.Ok && conserved;
    }

    /// <summary>A subquery giving the status of the transfer whose persistence id is <paramref name="persistenceId"/> (an SQL expression).</summary>
    private static string StatusOf(string persistenceId) => $"""
        SELECT CASE WHEN bool_or(j.manifest = '{Completed}') THEN 'completed'
                    WHEN bool_or(j.manifest = '{Rejected}') THEN 'rejected'
                    WHEN bool_or(j.manifest = '{Started}') THEN 'pending' END AS status
          FROM event_journal j WHERE j.persistence_id = {persistenceId}
        """;

    public sealed record Balances(long Accounts, decimal Available, decimal Frozen)
    {
        public decimal Total => Available + Frozen;
    }

    public sealed record Statuses(long Absent, long Pending, long Completed, long Rejected, long Mismatched);

    /// <summary>Of <see cref="Transfers"/>, how many moved exactly what their status says (a pending one never does).</summary>
    public sealed record Legs(long Transfers, long Whole, long Pending, long Stray)
    {
        public bool Ok => Whole == Transfers && Stray == 0;
    }
}
