using System.CommandLine;
using Cohort.Cli.Commands;

var rootCommand = new RootCommand("Cohort: manage a cluster and run one locally.")
{
    KafkaDevCommand.Create(),
};

return await rootCommand.Parse(args).InvokeAsync();
