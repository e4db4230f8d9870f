using System.CommandLine;

namespace Cohort.Cli.Commands;

/// <summary>
/// <c>cohort bench</c>: load generators that print throughput and latency percentiles. A benchmark, not a test:
/// it reports figures, and fails only when something it sent went missing.
/// </summary>
internal static class BenchCommand
{
    public static Command Create() => new("bench", "Measure throughput and latency of a running cluster.")
    {
        BenchKafka.CreateCommand(),
        BenchHttp.CreateCommand(),
        BenchTransfersHttp.CreateCommand(),
        BenchTransfersKafka.CreateCommand(),
        BenchFlashSale.CreateCommand(),
    };

    internal static Option<int> PositiveOption(string name, string description, int defaultValue)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError($"{name} must be at least 1.");
            }
        });
        return option;
    }

    internal static Option<string> RequiredOption(string name, string description) =>
        new(name) { Description = description, Required = true };

    /// <summary>CPU this process used so far: the client's share of a machine it shares with the cluster.</summary>
    internal static double ProcessCpuSeconds()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>
    /// Printed when the load is over and the run's check in the journal starts: <c>scripts/bench.sh</c> ends a run's
    /// CPU profile there, so the PostgreSQL work of the check does not count as the node's.
    /// </summary>
    public const string CheckingLine = "  checking the run in event_journal";

    /// <summary>A prefix of request ids that no earlier run used, so a run can count exactly its own rows.</summary>
    internal static string NewRunId() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray().AsSpan(0, 5));
}
