using Npgsql;

namespace Cohort.Runtime.Persistence;

/// <summary>
/// One partition's decided batch, waiting to be committed together with whatever other partitions of this node
/// have ready at the same moment.
/// </summary>
internal abstract class PendingCommit(string topic, long epoch, BatchWrite write, long confirmedPosition)
{
    private readonly TaskCompletionSource<long> done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Topic => topic;

    public int Partition => write.Partition;

    public long Epoch => epoch;

    public BatchWrite Write => write;

    /// <summary>The outbox cursor to move the partition to in the same transaction; 0 to leave it.</summary>
    public long ConfirmedPosition => confirmedPosition;

    /// <summary>The journal position of the batch's last event (0 when it appended none), once committed.</summary>
    public Task<long> Committed => done.Task;

    public void Succeed(long position) => done.TrySetResult(position);

    public void Fail(Exception error) => done.TrySetException(error);

    /// <summary>
    /// Adds the read-model writes of <paramref name="sameType"/>, the commits of this commit's entity type in the
    /// group (this one among them), as one set of statements.
    /// </summary>
    public abstract void AddReadModelWrites(NpgsqlBatch batch, IReadOnlyList<PendingCommit> sameType, DateTime now);
}
