using Microsoft.Extensions.Logging;

namespace Cohort.Cluster.Tests.Support;

/// <summary>
/// Writes one in-process node's log (its own, Akka's, the Kafka clients') to a file of its own: several nodes share
/// the test process, and a failing test names the file of the node it ran against.
/// </summary>
internal sealed class InProcessNodeLog : ILoggerProvider
{
    private static readonly string Directory = System.IO.Directory.CreateDirectory(
        System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cohort-cluster-tests")).FullName;

    private readonly StreamWriter writer;
    private readonly Lock gate = new();
    private bool closed;

    /// <param name="nodeId">Unique in the test run: it names the file.</param>
    public InProcessNodeLog(string nodeId)
    {
        Path = System.IO.Path.Combine(Directory, $"{nodeId}.log");
        writer = new StreamWriter(Path, append: false) { AutoFlush = true };
    }

    public string Path { get; }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
        lock (gate)
        {
            closed = true;
            writer.Dispose();
        }
    }

    private void Write(string line)
    {
        lock (gate)
        {
            if (!closed)
            {
                writer.WriteLine(line);
            }
        }
    }

    private sealed class Logger(InProcessNodeLog log, string category) : ILogger
    {
        // The hosting and options plumbing says nothing a failing test needs.
        private readonly LogLevel minimum = category.StartsWith("Microsoft.", StringComparison.Ordinal) ? LogLevel.Warning : LogLevel.Information;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }
            var line = $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel,-11} {category}: {formatter(state, exception)}";
            log.Write(exception is null ? line : $"{line}\n{exception}");
        }
    }
}
