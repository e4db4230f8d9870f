using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Cohort.Cluster.Hosting;
using Cohort.Cluster.Metrics;

namespace Cohort.Cluster.Persistence.Projections;

/// <summary>
/// Runs one <see cref="IProjection"/> as a cluster singleton: the journal's records from the stored offset, in
/// batches of up to <see cref="MaxBatch"/> or whatever arrived within <see cref="MaxDelay"/>, one batch at a time. A
/// failing batch restarts the stream from the stored offset after a backoff; every few seconds the runner measures
/// how far behind the journal's end it is.
/// </summary>
public sealed class ProjectionRunner : ReceiveActor, IWithTimers
{
    public const int MaxBatch = 1000;
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LagInterval = TimeSpan.FromSeconds(5);

    private readonly IProjection projection;
    private readonly ProjectionOffsets offsets;
    private readonly CohortMetrics metrics;
    private readonly LocalSingletons singletons;
    private readonly ILoggingAdapter log = Context.GetLogger();
    private UniqueKillSwitch? killSwitch;
    private long handled;

    public ProjectionRunner(IProjection projection, ProjectionOffsets offsets, CohortMetrics metrics, LocalSingletons singletons)
    {
        this.projection = projection;
        this.offsets = offsets;
        this.metrics = metrics;
        this.singletons = singletons;
        Receive<Handled>(h => handled = h.Offset);
        Receive<MeasureLag>(_ => offsets.LagAsync(handled, CancellationToken.None).PipeTo(Self, success: lag => new Lag(lag.Behind, lag.OldestUnhandled),
            failure: e => new Status.Failure(e)));
        Receive<Lag>(lag => metrics.ProjectionBehind(projection.Name, lag.Behind,
            lag.OldestUnhandled is { } oldest ? DateTime.UtcNow - oldest : TimeSpan.Zero));
        Receive<Status.Failure>(f => log.Warning("Projection {0}: measuring its lag failed: {1}", projection.Name, f.Cause.Message));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props PropsFor(IProjection projection, ProjectionOffsets offsets, CohortMetrics metrics, LocalSingletons singletons) =>
        Props.Create(() => new ProjectionRunner(projection, offsets, metrics, singletons));

    protected override void PreStart()
    {
        singletons.Started(projection.Name);
        var journal = PersistenceQuery.Get(Context.System).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        var self = Self;
        killSwitch = RestartSource.OnFailuresWithBackoff(
                () => Source.FromTask(projection.ReadOffsetAsync(CancellationToken.None))
                    .ConcatMany(offset =>
                    {
                        log.Info("Projection {0} reads the journal after ordering {1}", projection.Name, offset);
                        self.Tell(new Handled(offset));
                        return journal.AllEvents(Offset.Sequence(offset));
                    })
                    .GroupedWithin(MaxBatch, MaxDelay)
                    .SelectAsync(1, async batch =>
                    {
                        var list = batch.ToList();
                        var last = ((Sequence)list[^1].Offset).Value;
                        await projection.HandleAsync(list, last, CancellationToken.None);
                        self.Tell(new Handled(last));
                        return NotUsed.Instance;
                    }),
                RestartSettings.Create(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2))
            .ViaMaterialized(KillSwitches.Single<NotUsed>(), Keep.Right)
            .To(Sink.Ignore<NotUsed>())
            .Run(Context.Materializer());
        Timers.StartPeriodicTimer("lag", MeasureLag.Instance, LagInterval);
    }

    protected override void PostStop()
    {
        killSwitch?.Shutdown();
        singletons.Stopped(projection.Name);
    }

    private sealed record Handled(long Offset);

    private sealed record MeasureLag
    {
        public static readonly MeasureLag Instance = new();
    }

    private sealed record Lag(long Behind, DateTime? OldestUnhandled);
}
