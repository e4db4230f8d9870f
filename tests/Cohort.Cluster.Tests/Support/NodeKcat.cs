using System.Diagnostics;

namespace Cohort.Cluster.Tests.Support;

/// <summary>
/// Produces with kcat, the command-line client operators reach for. Nothing is set but the broker and the topic:
/// kcat keeps librdkafka's own partitioner (consistent_random, CRC32 of the key), not the Java client's murmur2.
/// </summary>
internal static class NodeKcat
{
    private const string Program = "/usr/bin/kcat";

    // Neither entity ids nor Cohort's JSON commands contain it.
    private const string KeyDelimiter = "|";

    public static async Task ProduceAsync(string bootstrapServers, string topic, IEnumerable<(string Key, string Value)> messages, TimeSpan timeout)
    {
        var startInfo = new ProcessStartInfo(Program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-P", "-b", bootstrapServers, "-t", topic, "-K", KeyDelimiter })
        {
            startInfo.ArgumentList.Add(argument);
        }
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {Program}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        foreach (var (key, value) in messages)
        {
            if (key.Contains(KeyDelimiter, StringComparison.Ordinal) || value.Contains('\n'))
            {
                throw new ArgumentException($"kcat cannot take key '{key}' with value '{value}' on one line", nameof(messages));
            }
            await process.StandardInput.WriteLineAsync($"{key}{KeyDelimiter}{value}");
        }
        // kcat delivers what it read, waits for the acknowledgements, and exits at the end of its input.
        process.StandardInput.Close();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"kcat did not finish within {timeout.TotalSeconds:0} s: {await error}");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"kcat exited with {process.ExitCode}: {await output}{await error}");
        }
    }
}
