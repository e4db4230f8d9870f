using Cohort.Cluster.Hosting;

namespace Cohort.Cluster.Kafka;

/// <summary>The names of Cohort's Kafka topics, in one place.</summary>
public static class CohortTopics
{
    /// <summary>The entity types that take commands on a topic of their own: every registered module's.</summary>
    public static readonly IReadOnlyList<string> EntityTypes = CohortHosting.EntityModules.Where(m => m.HasCommandTopic).Select(m => m.TypeName).ToArray();

    public static string Commands(string entityType) => $"cohort.commands.{entityType}";

    public static string Events(string entityType) => $"cohort.events.{entityType}";

    public static string DeadLetters(string entityType) => $"cohort.commands.{entityType}.dlq";

    public const string Alerts = "cohort.events.alerts";
}
