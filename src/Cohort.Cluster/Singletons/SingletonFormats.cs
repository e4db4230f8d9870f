using Cohort.Cluster.Persistence;

namespace Cohort.Cluster.Singletons;

/// <summary>The singletons' messages, which reach them from any node through their proxies.</summary>
public static class SingletonFormats
{
    public static void Register(MessageFormats formats) => formats
        .AddWireRecord<Reconcile>("reconciliation.run.v1")
        .AddWireRecord<ReconciliationReport>("reconciliation.report.v1");
}
