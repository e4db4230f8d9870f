namespace Cohort.Cluster.Hosting;

/// <summary>The database (section <c>Cohort:Postgres</c>).</summary>
public sealed class PostgresOptions
{
    public const string Section = "Cohort:Postgres";

    /// <summary>Npgsql connection string; required.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// Connections of the journal and snapshot store. Each node also keeps up to <see cref="PoolSize"/> for
    /// projections, reconciliation, nonces and health checks: size both so that every node fits PostgreSQL's
    /// max_connections.
    /// </summary>
    public int JournalPoolSize { get; set; } = 16;

    public int PoolSize { get; set; } = 16;
}
