using System.CommandLine;
using System.Text.Json;
using Cohort.Cluster.Kafka;

namespace Cohort.Cli.Commands;

/// <summary><c>cohort kafka-dev</c>: hosts the embedded Kafka mock cluster until SIGINT or SIGTERM.</summary>
internal static class KafkaDevCommand
{
    public static Command Create()
    {
        var defaults = new EmbeddedKafkaOptions();
        var partitions = PositiveOption("--partitions", "Partitions of each command and event topic.", defaults.Partitions);
        var brokers = PositiveOption("--brokers", "Mock brokers in the cluster.", defaults.Brokers);
        var write = new Option<FileInfo>("--write")
        {
            Description = "Also write {\"bootstrapServers\": ...} to this JSON file once the cluster is up.",
        };

        var command = new Command("kafka-dev", "Run an embedded Kafka (librdkafka's mock cluster) with Cohort's topics.")
        {
            partitions,
            brokers,
            write,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            new EmbeddedKafkaOptions { Partitions = parseResult.GetValue(partitions), Brokers = parseResult.GetValue(brokers) },
            parseResult.GetValue(write),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(EmbeddedKafkaOptions options, FileInfo? write, CancellationToken cancellationToken)
    {
        using var kafka = EmbeddedKafka.Start(options);
        Console.WriteLine($"kafka-dev: bootstrap servers {kafka.BootstrapServers}");
        if (write is not null)
        {
            await WriteAtomicallyAsync(write, new KafkaDevInfo(kafka.BootstrapServers), cancellationToken);
        }

        // The invocation cancels this token on SIGINT and SIGTERM; that is the way out, not an error.
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        // Once the cluster is gone its addresses are a lie that the next reader would trust.
        write?.Delete();
        return 0;
    }

    // Readers poll for the file: they must never see it half written.
    private static async Task WriteAtomicallyAsync(FileInfo file, KafkaDevInfo info, CancellationToken cancellationToken)
    {
        var temporary = $"{file.FullName}.{Environment.ProcessId}.tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(info, JsonSerializerOptions.Web), cancellationToken);
        File.Move(temporary, file.FullName, overwrite: true);
    }

    private static Option<int> PositiveOption(string name, string description, int defaultValue)
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

    private sealed record KafkaDevInfo(string BootstrapServers);
}
