namespace Cohort.Cluster.Hosting;

/// <summary>How this node reaches the others and forms the cluster with them (section <c>Cohort:Cluster</c>).</summary>
public sealed class ClusterFormationOptions
{
    public const string Section = "Cohort:Cluster";

    public const string SeedDiscovery = "seeds";
    public const string ConfigDiscovery = "config";
    public const string KubernetesDiscovery = "kubernetes";

    /// <summary>The address Akka remoting binds to.</summary>
    public string Hostname { get; set; } = "127.0.0.1";

    /// <summary>The address other members reach this one at, when it differs from <see cref="Hostname"/> (a pod IP).</summary>
    public string? PublicHostname { get; set; }

    public int Port { get; set; } = 4053;

    /// <summary>
    /// <c>seeds</c>: join the members of <see cref="SeedNodes"/>. <c>config</c>: Akka.Management's cluster bootstrap
    /// with the management endpoints in <see cref="ConfigEndpoints"/>. <c>kubernetes</c>: cluster bootstrap with the
    /// pods that match <see cref="KubernetesLabelSelector"/>.
    /// </summary>
    public string Discovery { get; set; } = SeedDiscovery;

    /// <summary><c>akka.tcp://cohort@host:port</c> of the seed members; the first one forms a new cluster when none answers.</summary>
    public string[] SeedNodes { get; set; } = [];

    /// <summary>Where Akka.Management's HTTP endpoint listens (cluster bootstrap only).</summary>
    public int ManagementPort { get; set; } = 8558;

    /// <summary>The service the bootstrap looks up; also the pods' <c>app</c> label on Kubernetes.</summary>
    public string ServiceName { get; set; } = "cohort";

    /// <summary>Members the bootstrap must see before the lowest-addressed one forms the cluster.</summary>
    public int RequiredContactPoints { get; set; } = 3;

    /// <summary><c>host:port</c> of every member's management endpoint (config discovery).</summary>
    public string[] ConfigEndpoints { get; set; } = [];

    public string KubernetesLabelSelector { get; set; } = "app={0}";
}
