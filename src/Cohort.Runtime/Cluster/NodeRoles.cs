namespace Cohort.Runtime.Cluster;

/// <summary>The roles a node plays. Every node plays all of them today; the list tells operators what runs where.</summary>
public static class NodeRoles
{
    public const string ShardHost = "shard-host";
    public const string HttpIngress = "http-ingress";
    public const string SingletonCandidate = "singleton-candidate";

    public static readonly string[] All = [ShardHost, HttpIngress, SingletonCandidate];
}
