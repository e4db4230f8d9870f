namespace Cohort.Runtime.Persistence;

/// <summary>Settings of the PostgreSQL journal (section <c>Cohort:Postgres</c>).</summary>
public sealed class PostgresOptions
{
    public const string Section = "Cohort:Postgres";

    /// <summary>Npgsql connection string, e.g. <c>Host=127.0.0.1;Port=5432;Username=cohort;Database=cohort</c>.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>How long request results are kept for idempotent replays before they are pruned.</summary>
    public TimeSpan RequestResultRetention { get; set; } = TimeSpan.FromDays(7);
}
