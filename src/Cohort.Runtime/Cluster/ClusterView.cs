using Cohort.Runtime.Kafka;
using Npgsql;

namespace Cohort.Runtime.Cluster;

/// <summary>The cluster as PostgreSQL knows it: the nodes and the owner and epoch of every partition.</summary>
public sealed class ClusterView(NpgsqlDataSource dataSource)
{
    /// <summary>A node not heard from for this long is reported as down.</summary>
    public static readonly TimeSpan DownAfter = TimeSpan.FromSeconds(10);

    public async Task<ClusterSnapshot> ReadAsync(CancellationToken ct)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            "SELECT node_id, url, roles, started_at, last_seen, now() - last_seen FROM nodes ORDER BY node_id"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            "SELECT topic, kafka_partition, epoch, node_id, acquired_at FROM partition_owners ORDER BY topic, kafka_partition"));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var nodes = new List<NodeRecord>();
        while (await reader.ReadAsync(ct))
        {
            nodes.Add(new NodeRecord(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<string[]>(2),
                reader.GetDateTime(3), reader.GetDateTime(4), reader.GetFieldValue<TimeSpan>(5) < DownAfter));
        }
        await reader.NextResultAsync(ct);
        var owners = new List<PartitionRecord>();
        while (await reader.ReadAsync(ct))
        {
            owners.Add(new PartitionRecord(reader.GetString(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetString(3), reader.GetDateTime(4)));
        }
        var singleton = owners.FirstOrDefault(o => o.Topic == CohortTopics.Singleton);
        return new ClusterSnapshot(nodes, owners, singleton);
    }
}

public sealed record ClusterSnapshot(IReadOnlyList<NodeRecord> Nodes, IReadOnlyList<PartitionRecord> Partitions, PartitionRecord? Singleton);

public sealed record NodeRecord(string NodeId, string Url, string[] Roles, DateTime StartedAt, DateTime LastSeen, bool Up);

public sealed record PartitionRecord(string Topic, int Partition, long Epoch, string NodeId, DateTime AcquiredAt);
