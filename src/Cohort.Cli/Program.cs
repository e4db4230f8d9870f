using System.CommandLine;
using Cohort.Cli.Commands;

var rootCommand = new RootCommand("Cohort: manage a cluster and run one locally.")
{
    KafkaDevCommand.Create(),
    BenchCommand.Create(),
    TokenCommand.Create(),
};

// Set explicitly: without a timeout System.CommandLine 2.0.0 leaves SIGINT and SIGTERM unhandled, so long-running
// commands would be killed instead of seeing their CancellationToken cancelled and cleaning up.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(10) };
return await rootCommand.Parse(args).InvokeAsync(invocation);
