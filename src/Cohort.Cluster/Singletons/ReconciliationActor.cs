using System.Diagnostics;
using System.Text.Json;
using Akka.Actor;
using Akka.Event;
using Cohort.Cluster.Hosting;
using Cohort.Cluster.Kafka;
using Cohort.Cluster.Metrics;
using Cohort.Cluster.Persistence.Projections;

namespace Cohort.Cluster.Singletons;

/// <summary>
/// The reconciliation singleton: a full run when it starts and every <see cref="ReconciliationOptions.FullInterval"/>,
/// the cheap checks every <see cref="ReconciliationOptions.Interval"/>, and a run whenever asked. Runs one at a
/// time. Every mismatch becomes an error log, the <c>cohort_reconciliation_mismatches</c> gauge and an alert on
/// <c>cohort.events.alerts</c>; it changes no balance: that is for a human.
/// </summary>
public sealed class ReconciliationActor : ReceiveActor, IWithTimers, IWithStash
{
    public const string Name = "reconciliation";

    private static readonly JsonSerializerOptions AlertJson = new(JsonSerializerDefaults.Web);

    private readonly Reconciler reconciler;
    private readonly ProjectionOffsets offsets;
    private readonly ReconciliationOptions options;
    private readonly MessageProducer producer;
    private readonly CohortMetrics metrics;
    private readonly LocalSingletons singletons;
    private readonly ILoggingAdapter log = Context.GetLogger();
    private long lastFull;

    public ReconciliationActor(
        Reconciler reconciler, ProjectionOffsets offsets, ReconciliationOptions options, MessageProducer producer, CohortMetrics metrics,
        LocalSingletons singletons)
    {
        this.reconciler = reconciler;
        this.offsets = offsets;
        this.options = options;
        this.producer = producer;
        this.metrics = metrics;
        this.singletons = singletons;
        Idle();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public IStash Stash { get; set; } = null!;

    public static Props PropsFor(
        Reconciler reconciler, ProjectionOffsets offsets, ReconciliationOptions options, MessageProducer producer, CohortMetrics metrics,
        LocalSingletons singletons) =>
        Props.Create(() => new ReconciliationActor(reconciler, offsets, options, producer, metrics, singletons));

    protected override void PreStart()
    {
        singletons.Started(Name);
        Timers.StartPeriodicTimer("tick", Tick.Instance, options.Interval);
        Start(ReconciliationScope.Full, ActorRefs.Nobody);
    }

    protected override void PostStop() => singletons.Stopped(Name);

    private void Idle()
    {
        Receive<Tick>(_ =>
        {
            var full = Stopwatch.GetElapsedTime(lastFull) >= options.FullInterval;
            Start(full ? ReconciliationScope.Full : ReconciliationScope.Totals, ActorRefs.Nobody);
        });
        Receive<Reconcile>(r => Start(r.Scope, Sender));
    }

    private void Start(ReconciliationScope scope, IActorRef replyTo)
    {
        if (scope == ReconciliationScope.Full)
        {
            lastFull = Stopwatch.GetTimestamp();
        }
        RunAsync(scope).PipeTo(Self, success: report => new Done(report, replyTo), failure: e => new Failed(e, replyTo));
        Become(Running);
    }

    private void Running()
    {
        Receive<Tick>(_ => { });
        Receive<Reconcile>(_ => Stash.Stash());
        Receive<Done>(done =>
        {
            Report(done.Report);
            done.ReplyTo.Tell(done.Report);
            Become(Idle);
            Stash.UnstashAll();
        });
        Receive<Failed>(failed =>
        {
            log.Error(failed.Cause, "Reconciliation failed; the next run tries again");
            failed.ReplyTo.Tell(new Status.Failure(failed.Cause));
            Become(Idle);
            Stash.UnstashAll();
        });
    }

    /// <summary>A full run first lets the reporting tables catch up with the journal as it is now, so it compares everything written before it.</summary>
    private async Task<ReconciliationReport> RunAsync(ReconciliationScope scope)
    {
        if (scope == ReconciliationScope.Full)
        {
            var end = await offsets.JournalEndAsync(CancellationToken.None);
            var waiting = Stopwatch.StartNew();
            while (await offsets.ReadAsync("reporting", CancellationToken.None) < end && waiting.Elapsed < options.CatchUpTimeout)
            {
                await Task.Delay(200);
            }
        }
        return await reconciler.RunAsync(scope, options.StuckTransferAfter, options.OrderMargin, CancellationToken.None);
    }

    private void Report(ReconciliationReport report)
    {
        metrics.Reconciled(report.Mismatches.Count);
        if (report.Consistent)
        {
            log.Log(report.Scope == ReconciliationScope.Full ? LogLevel.InfoLevel : LogLevel.DebugLevel,
                "Reconciliation ({0}) at journal ordering {1}: {2} accounts, {3} account records summed, no mismatch",
                new object[] { report.Scope, report.Offset, report.Accounts, report.Records });
            return;
        }
        foreach (var m in report.Mismatches)
        {
            log.Error("Reconciliation mismatch {0} {1}: {2}", m.Kind, m.Subject, m.Detail);
            var alert = JsonSerializer.SerializeToUtf8Bytes(
                new { type = "reconciliation_mismatch", kind = m.Kind, subject = m.Subject, detail = m.Detail, at = report.CheckedAt }, AlertJson);
            producer.Send(CohortTopics.Alerts, m.Subject, alert);
        }
    }

    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }

    private sealed record Done(ReconciliationReport Report, IActorRef ReplyTo);

    private sealed record Failed(Exception Cause, IActorRef ReplyTo);
}
