namespace Cohort.Runtime.Hosting;

/// <summary>Who this node is (section <c>Cohort:Node</c>).</summary>
public sealed class NodeOptions
{
    public const string Section = "Cohort:Node";

    /// <summary>Stable, unique id: names the node's reply topic and its rows in <c>nodes</c> and <c>partition_owners</c>.</summary>
    public string NodeId { get; set; } = Environment.MachineName;

    /// <summary>The URL other nodes and operators reach this node's HTTP API at.</summary>
    public string Url { get; set; } = "http://127.0.0.1:8080";

    /// <summary>How long an HTTP request waits for the owner's answer before it gets 504 timeout.</summary>
    public TimeSpan AskTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
