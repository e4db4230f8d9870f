namespace Cohort.Runtime.Kafka;

/// <summary>The names of Cohort's Kafka topics, in one place.</summary>
public static class CohortTopics
{
    /// <summary>The single-partition topic whose owner runs the cluster singletons.</summary>
    public const string Singleton = "cohort.singleton";

    /// <summary>The entity types hosted on command topics.</summary>
    public static readonly IReadOnlyList<string> EntityTypes = ["account", "transfer"];

    public static string Commands(string entityType) => $"cohort.commands.{entityType}";

    public static string Events(string entityType) => $"cohort.events.{entityType}";

    public static string DeadLetters(string entityType) => $"cohort.commands.{entityType}.dlq";

    public const string Alerts = "cohort.events.alerts";

    /// <summary>Where a node receives the answers to the commands it sent.</summary>
    public static string Replies(string nodeId) => $"cohort.replies.{nodeId}";
}
