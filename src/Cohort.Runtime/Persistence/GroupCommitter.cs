using Cohort.Runtime.Metrics;
using Cohort.Runtime.Partitions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cohort.Runtime.Persistence;

/// <summary>
/// Group commit across this node's partitions. A batch that is ready while others are being written waits for
/// the next transaction, together with every batch that is ready by then: the node pays one round trip, one set
/// of statements and one WAL flush for all of them instead of one per partition. At most
/// <see cref="PipelineOptions.MaxConcurrentCommits"/> transactions are in flight, so PostgreSQL can still use
/// more than one core.
/// </summary>
internal sealed class GroupCommitter(Journal journal, RuntimeMetrics metrics, IOptions<PipelineOptions> options, ILogger<GroupCommitter> logger)
{
    private readonly Lock gate = new();
    private readonly Queue<PendingCommit> queue = new();
    private int writers;

    /// <returns>The journal position of the batch's last event, once committed; 0 when it appended none.</returns>
    /// <exception cref="PartitionFencedException">The commit's epoch is stale; nothing of it was written.</exception>
    public Task<long> CommitAsync(PendingCommit commit)
    {
        lock (gate)
        {
            queue.Enqueue(commit);
            if (writers >= options.Value.MaxConcurrentCommits)
            {
                return commit.Committed;
            }
            writers++;
        }
        _ = Task.Run(WriteAsync);
        return commit.Committed;
    }

    private async Task WriteAsync()
    {
        while (true)
        {
            List<PendingCommit> group;
            lock (gate)
            {
                if (queue.Count == 0)
                {
                    writers--;
                    return;
                }
                group = [.. queue];
                queue.Clear();
            }
            await CommitGroupAsync(group);
        }
    }

    /// <summary>Ends every commit of the group, committed or failed; never throws.</summary>
    private async Task CommitGroupAsync(List<PendingCommit> group)
    {
        while (group.Count > 0)
        {
            try
            {
                var positions = await journal.CommitAsync(group, CancellationToken.None);
                metrics.TransactionCommitted();
                for (var i = 0; i < group.Count; i++)
                {
                    group[i].Succeed(positions[i]);
                }
                return;
            }
            catch (PartitionFencedException e)
            {
                var stale = group.First(c => c.Topic == e.Topic && c.Partition == e.Partition && c.Epoch == e.Epoch);
                stale.Fail(e);
                group.Remove(stale);
            }
            catch (Exception e) when (group.Count > 1)
            {
                // One partition's bad batch must not hold the others back: alone, only the culprit fails.
                logger.LogWarning(e, "A transaction of {Count} partitions' batches failed; committing them one at a time", group.Count);
                foreach (var commit in group)
                {
                    await CommitGroupAsync([commit]);
                }
                return;
            }
            catch (Exception e)
            {
                group[0].Fail(e);
                return;
            }
        }
    }
}
