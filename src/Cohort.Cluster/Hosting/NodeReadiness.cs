namespace Cohort.Cluster.Hosting;

/// <summary>What this node has finished starting: the gates of <c>/health/ready</c> that are not read live.</summary>
public sealed class NodeReadiness
{
    private readonly TaskCompletionSource migrated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool kafkaRunning;

    public bool MigrationsApplied => migrated.Task.IsCompleted;

    public bool KafkaRunning => kafkaRunning;

    public Task Migrations => migrated.Task;

    public void Migrated() => migrated.TrySetResult();

    public void KafkaStarted() => kafkaRunning = true;

    public void KafkaStopped() => kafkaRunning = false;
}
