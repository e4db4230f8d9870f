using System.Diagnostics;
using Xunit.Abstractions;

namespace Cohort.Node.Tests.Support;

/// <summary>Timestamped lines into the test output, safe from any thread (and silent once the test is over).</summary>
internal sealed class TestLog(ITestOutputHelper output)
{
    private readonly Stopwatch clock = Stopwatch.StartNew();

    public void Write(string message)
    {
        try
        {
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} [+{clock.Elapsed.TotalSeconds,6:0.0}s] {message}");
        }
        catch (InvalidOperationException)
        {
            // The test has finished; nobody reads its output any more.
        }
    }
}
