namespace Cohort.Cluster.Hosting;

/// <summary>How this node reaches the others and forms the cluster with them (section <c>Cohort:Cluster</c>).</summary>
public sealed class ClusterFormationOptions
{
    public const string Section = "Cohort:Cluster";

    /// <summary>The address Akka remoting binds to.</summary>
    public string Hostname { get; set; } = "127.0.0.1";

    /// <summary>The address other members reach this one at, when it differs from <see cref="Hostname"/> (a pod's DNS name).</summary>
    public string? PublicHostname { get; set; }

    public int Port { get; set; } = 4053;

    /// <summary>
    /// <c>akka.tcp://cohort@host:port</c> of the seed members, the same list on every node. A joining node asks them in
    /// turn; only the first one forms a new cluster, and only when none of the others answers.
    /// </summary>
    public string[] SeedNodes { get; set; } = [];
}
