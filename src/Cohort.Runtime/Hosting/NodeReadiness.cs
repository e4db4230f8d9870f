namespace Cohort.Runtime.Hosting;

/// <summary>What this node has finished starting: the gates of <c>/health/ready</c>.</summary>
public sealed class NodeReadiness
{
    private readonly ManualResetEventSlim migrated = new();
    private volatile bool kafkaJoined;
    private volatile bool repliesListening;

    public bool MigrationsApplied => migrated.IsSet;

    public bool KafkaJoinedGroup => kafkaJoined;

    public bool RepliesListening => repliesListening;

    public void Migrated() => migrated.Set();

    public void KafkaJoined() => kafkaJoined = true;

    public void RepliesReady() => repliesListening = true;

    /// <summary>Blocks a start-up thread until the schema is in place.</summary>
    public void WaitForMigrations(CancellationToken ct) => migrated.Wait(ct);

    public Task WaitForMigrationsAsync(CancellationToken ct) =>
        Task.Run(() => migrated.Wait(ct), ct);
}
