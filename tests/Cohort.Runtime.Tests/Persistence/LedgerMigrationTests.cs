using Cohort.Runtime.Persistence;
using Cohort.Runtime.Tests.Support;
using Cohort.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Cohort.Runtime.Tests.Persistence;

/// <summary>Migration 007 on a database that has run 001-006 and holds ledger entries.</summary>
public sealed class LedgerMigrationTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private const string LedgerPrimaryKey = "007_ledger_primary_key.sql";

    [Fact]
    public async Task The_ledger_is_keyed_by_account_and_seq_nr_its_entries_kept_and_a_second_run_changes_nothing()
    {
        var connectionString = await postgres.CreateDatabaseAsync(nameof(LedgerMigrationTests));
        var db = new Db(connectionString);
        foreach (var (_, sql) in Migrator.Scripts.Where(s => string.CompareOrdinal(s.Name, LedgerPrimaryKey) < 0))
        {
            await db.ExecuteAsync(sql);
        }
        await db.ExecuteAsync("""
            INSERT INTO ledger (account_id, asset, seq_nr, kind, delta_available, delta_frozen, available_after, frozen_after, request_id, created_at)
            VALUES ('alice', 'USDT', 1, 'deposit', 10, 0, 10, 0, 'r-1', now()), ('alice', 'BTC', 2, 'deposit', 1, 0, 1, 0, 'r-2', now()),
                   ('bob', 'USDT', 1, 'deposit', 5, 0, 5, 0, 'r-3', now())
            """);

        await using (var dataSource = NpgsqlDataSource.Create(connectionString))
        {
            await new Migrator(dataSource, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        }
        await db.ExecuteAsync(Migrator.Scripts.Single(s => s.Name == LedgerPrimaryKey).Sql);

        Assert.Equal(["ledger_pkey primary key (account_id, seq_nr)"], await LedgerIndexesAsync(db));
        Assert.Equal(0, await db.ScalarAsync<long>(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'ledger' AND column_name = 'entry_id'"));
        Assert.True(await db.ScalarAsync<bool>("SELECT to_regclass('ledger_entry_id_seq') IS NULL"));
        Assert.Equal(3, await db.ScalarAsync<long>("SELECT count(*) FROM ledger"));
        var duplicate = await Assert.ThrowsAsync<PostgresException>(() => db.ExecuteAsync("""
            INSERT INTO ledger (account_id, asset, seq_nr, kind, delta_available, delta_frozen, available_after, frozen_after, request_id, created_at)
            VALUES ('alice', 'USDT', 2, 'deposit', 1, 0, 11, 0, 'r-4', now())
            """));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, duplicate.SqlState);
    }

    private static Task<string[]> LedgerIndexesAsync(Db db) =>
        db.ScalarAsync<string[]>("""
            SELECT array_agg(c.relname || CASE WHEN i.indisprimary THEN ' primary key' ELSE '' END || ' ('
                             || (SELECT string_agg(a.attname, ', ' ORDER BY k.n)
                                   FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
                                   JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum) || ')'
                             ORDER BY c.relname)
              FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
             WHERE i.indrelid = 'ledger'::regclass
            """);
}
