using Npgsql;
using NpgsqlTypes;

namespace Cohort.Runtime.Persistence;

/// <summary>Typed parameters for the array-parameter statements of batch writes.</summary>
internal static class Sql
{
    public static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        cmd.Parameters.AddRange(parameters);
        return cmd;
    }

    public static NpgsqlParameter Text(string value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Text };

    public static NpgsqlParameter Integer(int value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Integer };

    public static NpgsqlParameter Bigint(long value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.Bigint };

    public static NpgsqlParameter Timestamp(DateTime value) => new() { Value = value, NpgsqlDbType = NpgsqlDbType.TimestampTz };

    public static NpgsqlParameter TextArray(List<string> values) =>
        new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    public static NpgsqlParameter IntegerArray(List<int> values) =>
        new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer };

    public static NpgsqlParameter BigintArray(List<long> values) =>
        new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint };

    public static NpgsqlParameter NumericArray(List<decimal> values) =>
        new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric };
}
