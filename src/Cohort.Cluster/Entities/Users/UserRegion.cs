namespace Cohort.Cluster.Entities.Users;

/// <summary>The user shard region, as the actor registry knows it.</summary>
public sealed class UserRegion
{
    /// <summary>Names its shard region and its journal's persistence ids (<c>user|&lt;username&gt;</c>).</summary>
    public const string TypeName = "user";
}
