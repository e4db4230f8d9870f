using Cohort.Runtime.Persistence;
using Cohort.Runtime.Tests.Support;
using Cohort.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Cohort.Runtime.Tests.Persistence;

/// <summary>The storage of account_balances after every migration: updates in place, without index writes.</summary>
public sealed class AccountBalancesStorageTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task Rewriting_every_balance_of_a_batch_is_a_HOT_update_that_writes_no_index_entry()
    {
        var connectionString = await postgres.CreateDatabaseAsync(nameof(AccountBalancesStorageTests));
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await new Migrator(dataSource, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        var db = new Db(connectionString);
        await db.ExecuteAsync(Upsert(seqNr: 1));

        await using var conn = await dataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var update = new NpgsqlCommand(Upsert(seqNr: 2), conn, tx))
        {
            await update.ExecuteNonQueryAsync();
        }
        // Counters of this transaction alone: exact, and not subject to the statistics collector's delay.
        await using var count = new NpgsqlCommand("""
            SELECT pg_stat_get_xact_tuples_updated('account_balances'::regclass),
                   pg_stat_get_xact_tuples_hot_updated('account_balances'::regclass)
            """, conn, tx);
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();

        Assert.Equal(1000, reader.GetInt64(0));
        Assert.Equal(1000, reader.GetInt64(1));
    }

    private static string Upsert(int seqNr) => $"""
        INSERT INTO account_balances (account_id, asset, available, frozen, seq_nr, updated_at)
        SELECT 'account-' || i, 'USDT', 10.5 * {seqNr}, 0, {seqNr}, now() FROM generate_series(1, 1000) i
        ON CONFLICT (account_id, asset) DO UPDATE
           SET available = excluded.available, frozen = excluded.frozen, seq_nr = excluded.seq_nr, updated_at = excluded.updated_at
        """;
}
