using System.Globalization;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Accounts;
using Npgsql;
using NpgsqlTypes;

namespace Cohort.Cli.Commands;

/// <summary>
/// What the journal holds of one deposit run. Request <c>n</c> of a run is <c>&lt;prefix&gt;n</c>, a deposit of
/// <see cref="Amount"/> to account <c>n % accounts</c>; every command an account answers is one row of
/// <c>event_journal</c> under <c>account|&lt;id&gt;</c> carrying its request id: <c>account.deposited.v1</c> when
/// applied, <c>refused.v1</c> when refused. So each request the client saw applied must have exactly one deposit
/// row in its own account, and each account's balance must have grown by exactly its deposits. Only rows written
/// after <see cref="MarkStartAsync"/> are read: the run's accounts keep the history of earlier runs.
/// </summary>
internal sealed class BenchJournalCheck
{
    /// <summary>What the client knows of request <c>n</c>: it was answered as applied, answered as refused, or not answered.</summary>
    public enum Expect : short
    {
        Unknown = 0,
        Applied = 1,
        Refused = 2,
    }

    private readonly NpgsqlDataSource db;
    private readonly string requestIdPrefix;
    private readonly string[] persistenceIds;
    private string? sequence;
    private long start;

    public BenchJournalCheck(NpgsqlDataSource db, string requestIdPrefix, IReadOnlyList<string> accountIds, decimal amount)
    {
        this.db = db;
        this.requestIdPrefix = requestIdPrefix;
        Amount = amount;
        persistenceIds = accountIds.Select(id => PersistenceIds.Of(AccountRegion.TypeName, id)).ToArray();
    }

    public decimal Amount { get; }

    /// <summary>Fails early, with a clear message, when the database is unreachable or not migrated yet.</summary>
    public async Task EnsureSchemaAsync(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            "SELECT to_regclass('event_journal') IS NOT NULL, pg_get_serial_sequence('event_journal', 'ordering')");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct) || !reader.GetBoolean(0))
        {
            throw new InvalidOperationException("the database has no event_journal table: start a node on it first, it migrates the schema");
        }
        sequence = reader.IsDBNull(1) ? null : reader.GetString(1);
    }

    /// <summary>Notes where the journal is before the run sends anything: every row of the run comes after.</summary>
    public async Task MarkStartAsync(CancellationToken ct) => start = await JournalPositionAsync(ct);

    /// <summary>
    /// How many journal orderings have been handed out so far: cheap enough to poll every few milliseconds, and
    /// when nothing else writes, its growth is the number of rows written (the sharding coordinators write a few
    /// rows of their own when they place shards). Used to pace a run without replies.
    /// </summary>
    public async Task<long> JournalPositionAsync(CancellationToken ct)
    {
        if (sequence is null)
        {
            throw new InvalidOperationException("event_journal.ordering has no sequence to follow");
        }
        await using var cmd = db.CreateCommand($"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {sequence}");
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Rows written to the run's accounts since the start: the run's, when nothing else writes to them. Reads no payload.</summary>
    public async Task<long> CountAsync(CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT count(*) FROM event_journal WHERE ordering > $1 AND persistence_id = ANY($2)");
        cmd.Parameters.AddWithValue(start);
        cmd.Parameters.Add(BenchTransfers.TextArray(persistenceIds));
        cmd.CommandTimeout = 120;
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Reads the run's rows against what the client knows of each request (<paramref name="expected"/>, one per
    /// request sent, by index), and each account's balance against its deposits.
    /// </summary>
    public async Task<Findings> VerifyAsync(IReadOnlyList<Expect> expected, CancellationToken ct)
    {
        Console.WriteLine(BenchCommand.CheckingLine);
        // The payload is decoded for account rows only: the sharding coordinators journal binary records too.
        await using var query = await HashJoinedQuery.OpenAsync(db, $$"""
            WITH run AS MATERIALIZED (
                SELECT j.persistence_id, j.sequence_number, j.manifest, d.doc, substr(d.doc ->> 'requestId', length($3) + 1)::bigint AS n
                  FROM event_journal j
                 CROSS JOIN LATERAL (SELECT CASE WHEN starts_with(j.persistence_id, '{{AccountPrefix}}')
                                                 THEN convert_from(j.message, 'UTF8')::jsonb END AS doc) d
                 WHERE j.ordering > $1 AND j.persistence_id = ANY($2)
                   AND starts_with(d.doc ->> 'requestId', $3) AND substr(d.doc ->> 'requestId', length($3) + 1) ~ '^[0-9]{1,18}$'
            ), per_request AS (
                SELECT n, count(*) AS written,
                       count(*) FILTER (WHERE manifest = '{{Deposited}}') AS deposits,
                       count(*) FILTER (WHERE manifest = '{{Refused}}') AS refusals,
                       bool_and(persistence_id = ($2)[(n % cardinality($2))::int + 1]) AS placed
                  FROM run GROUP BY n
            ), requests AS (
                SELECT e.expect, r.*
                  FROM unnest($4::smallint[]) WITH ORDINALITY AS e(expect, i)
                  FULL JOIN per_request r ON r.n = e.i - 1
            ), per_account AS (
                SELECT persistence_id, count(*) AS deposits, sum((doc ->> 'amount')::numeric) AS deposited,
                       min(sequence_number) AS first_seq, max(sequence_number) AS last_seq
                  FROM run WHERE manifest = '{{Deposited}}' GROUP BY persistence_id
            ), balances AS (
                -- The balance before the account's first deposit of the run, and after its last.
                SELECT a.*, (f.doc ->> 'available')::numeric - (f.doc ->> 'amount')::numeric AS before, (l.doc ->> 'available')::numeric AS after
                  FROM per_account a
                  JOIN run f ON f.persistence_id = a.persistence_id AND f.sequence_number = a.first_seq
                  JOIN run l ON l.persistence_id = a.persistence_id AND l.sequence_number = a.last_seq
            )
            SELECT (SELECT count(*) FROM run),
                   count(*) FILTER (WHERE written = 1 AND deposits = 1),
                   count(*) FILTER (WHERE written = 1 AND refusals = 1),
                   count(*) FILTER (WHERE written IS NULL AND expect IN (1, 2)),
                   count(*) FILTER (WHERE written > 1),
                   count(*) FILTER (WHERE NOT placed),
                   count(*) FILTER (WHERE written = 1 AND (expect = 1 AND deposits = 0 OR expect = 2 AND refusals = 0 OR deposits + refusals = 0)),
                   count(*) FILTER (WHERE written IS NOT NULL AND expect IS NULL),
                   count(*) FILTER (WHERE written IS NOT NULL AND expect = 0),
                   (SELECT count(*) FROM balances),
                   (SELECT count(*) FROM balances WHERE after - before = deposited AND deposited = deposits * $5)
              FROM requests
            """, ct);
        var cmd = query.Command;
        cmd.Parameters.AddWithValue(start);
        cmd.Parameters.Add(BenchTransfers.TextArray(persistenceIds));
        cmd.Parameters.AddWithValue(requestIdPrefix);
        cmd.Parameters.Add(new NpgsqlParameter { Value = expected.Select(e => (short)e).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Smallint });
        cmd.Parameters.AddWithValue(Amount);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new Findings(
            Sent: expected.Count,
            Rows: reader.GetInt64(0),
            Applied: reader.GetInt64(1),
            Refused: reader.GetInt64(2),
            Missing: reader.GetInt64(3),
            Duplicated: reader.GetInt64(4),
            Misplaced: reader.GetInt64(5),
            Contradicting: reader.GetInt64(6),
            Unsent: reader.GetInt64(7),
            UnansweredWritten: reader.GetInt64(8),
            Accounts: reader.GetInt64(9),
            AccountsBalanced: reader.GetInt64(10));
    }

    private static string AccountPrefix => PersistenceIds.Prefix(AccountRegion.TypeName);

    private static string Deposited => AccountFormats.RecordManifest("deposited");

    private static string Refused => Cohort.Cluster.Entities.EntityFormats.RefusedManifest;

    /// <summary>
    /// The run as the journal has it. <see cref="Applied"/> and <see cref="Refused"/> count requests with exactly
    /// one row of that kind; the rest are what must never be: <see cref="Missing"/> (answered, no row),
    /// <see cref="Duplicated"/> (more than one row), <see cref="Misplaced"/> (in another account),
    /// <see cref="Contradicting"/> (a row that says otherwise than the answer), <see cref="Unsent"/> (a row for a
    /// request never sent). <see cref="UnansweredWritten"/>: requests without an answer that were written all the
    /// same, as an answer lost or late may be. <see cref="AccountsBalanced"/>: accounts whose balance grew by
    /// exactly their deposits of the run.
    /// </summary>
    public sealed record Findings(
        long Sent, long Rows, long Applied, long Refused, long Missing, long Duplicated, long Misplaced, long Contradicting, long Unsent,
        long UnansweredWritten, long Accounts, long AccountsBalanced)
    {
        public bool Exact => Missing == 0 && Duplicated == 0 && Misplaced == 0 && Contradicting == 0 && Unsent == 0
            && Rows == Applied + Refused && AccountsBalanced == Accounts;

        /// <summary>The report's line: what the journal holds, and whether that is right.</summary>
        public string Describe() => string.Create(CultureInfo.InvariantCulture,
            $"  postgres: event_journal rows of the run {Rows} for {Sent} requests sent: applied once {Applied}, refused once {Refused}, ") +
            string.Create(CultureInfo.InvariantCulture,
                $"missing {Missing}, duplicated {Duplicated}, misplaced {Misplaced}, contradicting the answer {Contradicting}, never sent {Unsent}, unanswered but written {UnansweredWritten}; ") +
            string.Create(CultureInfo.InvariantCulture, $"accounts whose balance grew by exactly their deposits {AccountsBalanced}/{Accounts}: ") +
            (Exact ? "OK, every request applied once" : "MISSING, EXTRA OR WRONG ROWS");
    }
}
