namespace Cohort.Cluster.Hosting;

/// <summary>Who this node is (section <c>Cohort:Node</c>).</summary>
public sealed class NodeOptions
{
    public const string Section = "Cohort:Node";

    /// <summary>Stable, unique id: shown in <c>/admin/cluster</c>, carried as the member role <c>node:&lt;id&gt;</c>.</summary>
    public string NodeId { get; set; } = Environment.MachineName;

    /// <summary>The URL operators reach this node's HTTP API at.</summary>
    public string Url { get; set; } = "http://127.0.0.1:8080";

    /// <summary>How long a command waits for its entity's answer before it is answered 504 timeout (it may still apply).</summary>
    public TimeSpan AskTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
