using System.Text.Json;
using Cohort.Runtime.Kafka;
using Cohort.Runtime.Metrics;
using Cohort.Runtime.Singleton;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cohort.Runtime.Reconciliation;

/// <summary>
/// Reconciles periodically on the singleton's node, and on demand on any node. Every mismatch becomes a log
/// entry, a metric and an alert on <c>cohort.events.alerts</c>; balances are left as they are for a human.
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
        using var timer = new PeriodicTimer(options.Value.Interval);
        do
        {
            await ReconcileAsync(ct);
        }
        while (await timer.WaitForNextTickAsync(ct));
    }

    public async Task<ReconciliationReport> ReconcileAsync(CancellationToken ct)
    {
        var report = await reconciler.RunAsync(options.Value.StuckTransferAfter, ct);
        metrics.Reconciled(report.Mismatches.Count);
        if (report.Consistent)
        {
            logger.LogInformation("Reconciliation: {Accounts} accounts, {Assets} assets, no mismatch", report.Accounts, report.Assets.Count);
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
