using System.Globalization;
using System.Text;
using Cohort.Runtime.Metrics;

namespace Cohort.Runtime.Tests.Metrics;

public sealed class RuntimeMetricsTests
{
    [Fact]
    public void A_batch_shows_its_journal_read_and_its_commit_beside_its_whole_duration()
    {
        var metrics = new RuntimeMetrics();

        metrics.BatchCommitted(16, 16, TimeSpan.FromMilliseconds(12), read: TimeSpan.FromMilliseconds(2), commit: TimeSpan.FromMilliseconds(7));
        metrics.BatchCommitted(3, 0, TimeSpan.FromMilliseconds(4), read: TimeSpan.FromMilliseconds(3), commit: null);

        var text = Render(metrics);
        Assert.Equal(2, Value(text, "cohort_batch_duration_seconds_count"));
        Assert.Equal(2, Value(text, "cohort_batch_read_seconds_count"));
        Assert.Equal(0.005, Value(text, "cohort_batch_read_seconds_sum"), precision: 9);
        Assert.Equal(1, Value(text, "cohort_batch_commit_seconds_count"));
        Assert.Equal(0.007, Value(text, "cohort_batch_commit_seconds_sum"), precision: 9);
        Assert.Equal(0, Value(text, "cohort_batch_commit_seconds_bucket{le=\"0.005\"}"));
        Assert.Equal(1, Value(text, "cohort_batch_commit_seconds_bucket{le=\"0.01\"}"));
        Assert.Equal(19, Value(text, "cohort_commands_processed_total"));
    }

    [Fact]
    public void A_mismatch_found_in_new_events_stays_on_the_gauge_until_a_run_over_every_account_finds_none()
    {
        var metrics = new RuntimeMetrics();

        metrics.Reconciled(comparedAll: true, 0);
        metrics.Reconciled(comparedAll: false, 2);
        var afterNewEvents = Value(Render(metrics), "cohort_reconciliation_mismatches");
        metrics.Reconciled(comparedAll: false, 0);
        var afterQuietRun = Value(Render(metrics), "cohort_reconciliation_mismatches");
        metrics.Reconciled(comparedAll: true, 0);

        var text = Render(metrics);
        Assert.Equal((2, 2), (afterNewEvents, afterQuietRun));
        Assert.Equal(0, Value(text, "cohort_reconciliation_mismatches"));
        Assert.Equal(4, Value(text, "cohort_reconciliations_total"));
    }

    private static string Render(RuntimeMetrics metrics)
    {
        var text = new StringBuilder();
        metrics.Render(text);
        return text.ToString();
    }

    private static double Value(string text, string series)
    {
        var line = text.Split('\n').Single(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
    }
}
