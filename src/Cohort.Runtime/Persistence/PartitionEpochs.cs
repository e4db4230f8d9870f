using Npgsql;
using static Cohort.Runtime.Persistence.Sql;

namespace Cohort.Runtime.Persistence;

/// <summary>
/// The owner epoch of each partition. Taking a partition increments its epoch; the increment waits for any
/// transaction of the previous owner still holding the epoch row, so the new owner then reads all it wrote.
/// </summary>
public sealed class PartitionEpochs(NpgsqlDataSource dataSource)
{
    public async Task<long> AcquireAsync(string topic, int partition, string nodeId, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            INSERT INTO partition_owners (topic, kafka_partition, epoch, node_id, acquired_at) VALUES ($1, $2, 1, $3, now())
            ON CONFLICT (topic, kafka_partition) DO UPDATE
               SET epoch = partition_owners.epoch + 1, node_id = excluded.node_id, acquired_at = now()
            RETURNING epoch
            """);
        cmd.Parameters.Add(Text(topic));
        cmd.Parameters.Add(Integer(partition));
        cmd.Parameters.Add(Text(nodeId));
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Whether <paramref name="epoch"/> is still the partition's current epoch.</summary>
    public async Task<bool> IsCurrentAsync(string topic, int partition, long epoch, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT count(*) FROM partition_owners WHERE topic = $1 AND kafka_partition = $2 AND epoch = $3");
        cmd.Parameters.Add(Text(topic));
        cmd.Parameters.Add(Integer(partition));
        cmd.Parameters.Add(Bigint(epoch));
        return (long)(await cmd.ExecuteScalarAsync(ct))! == 1;
    }
}
