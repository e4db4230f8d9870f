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
/// Runs the <see cref="IProjection"/>s as one cluster singleton over one read of the journal: its records from the
/// lowest stored offset, in batches of up to <see cref="MaxBatch"/> or whatever arrived within <see cref="MaxDelay"/>,
/// one batch at a time, each projection handed the records past its own offset. (Reading and decoding every record
/// once per projection cost PostgreSQL and the node as much as the projections' own work.) A batch that fails
/// restarts the stream from the stored offsets after a backoff; every few seconds the runner measures how far behind
/// the journal's end each projection is.
/// </summary>
public sealed class ProjectionRunner : ReceiveActor, IWithTimers
{
    public const string Name = "projections";
    public const int MaxBatch = 1000;
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LagInterval = TimeSpan.FromSeconds(5);

    private readonly IReadOnlyList<IProjection> projections;
    private readonly LocalSingletons singletons;
    private readonly ILoggingAdapter log = Context.GetLogger();
    private readonly Dictionary<string, long> handled = new(StringComparer.Ordinal);
    private UniqueKillSwitch? killSwitch;

    public ProjectionRunner(IReadOnlyList<IProjection> projections, ProjectionOffsets offsets, CohortMetrics metrics, LocalSingletons singletons)
    {
        this.projections = projections;
        this.singletons = singletons;
        Receive<Handled>(h => handled[h.Projection] = h.Offset);
        Receive<MeasureLag>(_ =>
        {
            foreach (var (projection, offset) in handled)
            {
                offsets.LagAsync(offset, CancellationToken.None)
                    .PipeTo(Self, success: lag => new Lag(projection, lag.Behind, lag.OldestUnhandled), failure: e => new Status.Failure(e));
            }
        });
        Receive<Lag>(lag => metrics.ProjectionBehind(lag.Projection, lag.Behind,
            lag.OldestUnhandled is { } oldest ? DateTime.UtcNow - oldest : TimeSpan.Zero));
        Receive<Status.Failure>(f => log.Warning("Measuring the projections' lag failed: {0}", f.Cause.Message));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props PropsFor(IReadOnlyList<IProjection> projections, ProjectionOffsets offsets, CohortMetrics metrics, LocalSingletons singletons) =>
        Props.Create(() => new ProjectionRunner(projections, offsets, metrics, singletons));

    protected override void PreStart()
    {
        singletons.Started(Name);
        var journal = PersistenceQuery.Get(Context.System).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        var self = Self;
        killSwitch = RestartSource.OnFailuresWithBackoff(
                () => Source.FromTask(ReadOffsetsAsync())
                    .ConcatMany(offsets =>
                    {
                        var from = offsets.Values.Min();
                        log.Info("Projections {0} read the journal after ordering {1}", string.Join(", ", offsets.Select(o => $"{o.Key} (at {o.Value})")), from);
                        foreach (var (projection, offset) in offsets)
                        {
                            self.Tell(new Handled(projection, offset));
                        }
                        return journal.AllEvents(Offset.Sequence(from))
                            .GroupedWithin(MaxBatch, MaxDelay)
                            .SelectAsync(1, async batch =>
                            {
                                await HandleAsync(batch.ToList(), offsets, self);
                                return NotUsed.Instance;
                            });
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
        singletons.Stopped(Name);
    }

    private async Task<Dictionary<string, long>> ReadOffsetsAsync()
    {
        var offsets = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var projection in projections)
        {
            offsets[projection.Name] = await projection.ReadOffsetAsync(CancellationToken.None);
        }
        return offsets;
    }

    /// <summary>Hands each projection the records past its offset, one projection after the other.</summary>
    private async Task HandleAsync(List<EventEnvelope> batch, Dictionary<string, long> offsets, IActorRef self)
    {
        var last = ((Sequence)batch[^1].Offset).Value;
        foreach (var projection in projections)
        {
            var from = offsets[projection.Name];
            if (last <= from)
            {
                continue;
            }
            var records = ((Sequence)batch[0].Offset).Value > from ? batch : batch.Where(e => ((Sequence)e.Offset).Value > from).ToList();
            await projection.HandleAsync(records, last, CancellationToken.None);
            offsets[projection.Name] = last;
            self.Tell(new Handled(projection.Name, last));
        }
    }

    private sealed record Handled(string Projection, long Offset);

    private sealed record MeasureLag
    {
        public static readonly MeasureLag Instance = new();
    }

    private sealed record Lag(string Projection, long Behind, DateTime? OldestUnhandled);
}
