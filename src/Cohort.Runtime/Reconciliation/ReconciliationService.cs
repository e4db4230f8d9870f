using System.Diagnostics;
using System.Text.Json;
using Cohort.Runtime.Kafka;
using Cohort.Runtime.Metrics;
using Cohort.Runtime.Singleton;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cohort.Runtime.Reconciliation;

/// <summary>
/// Reconciles periodically on the singleton's node, at the scopes and intervals of <see cref="ReconciliationOptions"/>,
/// and fully on demand on any node. Every mismatch becomes a log entry, a metric and an alert on
/// <c>cohort.events.alerts</c>; balances are left as they are for a human.
/// </summary>
public sealed class ReconciliationService(
    Reconciler reconciler,
    MessageProducer producer,
    RuntimeMetrics metrics,
    IOptions<ReconciliationOptions> options,
    ILogger<ReconciliationService> logger) : ISingletonService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Name => "reconciliation";

    public async Task RunAsync(SingletonLease lease, CancellationToken ct)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.Interval);
        long? lastFull = null, lastAllAccounts = null;
        do
        {
            var now = Stopwatch.GetTimestamp();
            var scope = ReconciliationScope.NewEvents;
            if (lastFull is not { } full || Stopwatch.GetElapsedTime(full, now) >= settings.FullInterval)
            {
                (scope, lastFull, lastAllAccounts) = (ReconciliationScope.Full, now, now);
            }
            else if (lastAllAccounts is not { } all || Stopwatch.GetElapsedTime(all, now) >= settings.AllAccountsInterval)
            {
                (scope, lastAllAccounts) = (ReconciliationScope.AllAccounts, now);
            }
            await ReconcileAsync(scope, ct);
        }
        while (await timer.WaitForNextTickAsync(ct));
    }

    public async Task<ReconciliationReport> ReconcileAsync(ReconciliationScope scope, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var report = await reconciler.RunAsync(scope, options.Value.StuckTransferAfter, ct);
        metrics.Reconciled(scope != ReconciliationScope.NewEvents, report.Mismatches.Count);
        if (report.Consistent)
        {
            logger.Log(scope == ReconciliationScope.NewEvents ? LogLevel.Debug : LogLevel.Information,
                "Reconciliation ({Scope}, {Milliseconds} ms): {Events} account events summed, {Accounts} accounts compared, {Assets} assets, no mismatch",
                scope, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, report.Events, report.Accounts, report.Assets.Count);
            return report;
        }
        foreach (var m in report.Mismatches)
        {
            logger.LogError("Reconciliation mismatch {Kind} {Subject}: {Detail}", m.Kind, m.Subject, m.Detail);
            var alert = JsonSerializer.SerializeToUtf8Bytes(new { type = "reconciliation_mismatch", kind = m.Kind, subject = m.Subject, detail = m.Detail, at = report.CheckedAt }, Json);
            producer.Send(CohortTopics.Alerts, m.Subject, alert);
        }
        return report;
    }
}
