using Npgsql;

namespace Cohort.Cli.Commands;

/// <summary>
/// A check of a benchmark run, planned without nested loops. The statistics are those of before the run (the bench
/// ANALYZEs after its warm-up), so the planner expects almost no row in the run and joins its CTEs by nested loops:
/// minutes for 300,000 rows, where hash joins take seconds.
/// </summary>
internal sealed class HashJoinedQuery : IAsyncDisposable
{
    private readonly NpgsqlConnection connection;
    private readonly NpgsqlTransaction transaction;

    private HashJoinedQuery(NpgsqlConnection connection, NpgsqlTransaction transaction, NpgsqlCommand command)
    {
        this.connection = connection;
        this.transaction = transaction;
        Command = command;
    }

    public NpgsqlCommand Command { get; }

    public static async Task<HashJoinedQuery> OpenAsync(NpgsqlDataSource db, string sql, CancellationToken ct)
    {
        var connection = await db.OpenConnectionAsync(ct);
        try
        {
            var transaction = await connection.BeginTransactionAsync(ct);
            await using (var plan = new NpgsqlCommand("SET LOCAL enable_nestloop = off", connection, transaction))
            {
                await plan.ExecuteNonQueryAsync(ct);
            }
            return new HashJoinedQuery(connection, transaction, new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 300 });
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Command.DisposeAsync();
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }
}
