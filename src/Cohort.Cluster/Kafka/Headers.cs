using System.Text;
using Confluent.Kafka;

namespace Cohort.Cluster.Kafka;

/// <summary>Kafka headers of command messages: where to send the answer, and how the asker recognises it.</summary>
public static class CohortHeaders
{
    public const string ReplyTo = "cohort-reply-to";
    public const string CorrelationId = "cohort-correlation-id";

    /// <summary>Why a message was put on a dead-letter topic.</summary>
    public const string DeadLetterReason = "cohort-dlq-reason";

    /// <summary>Where a dead-lettered message was read: topic/partition@offset.</summary>
    public const string DeadLetterSource = "cohort-dlq-source";

    public static string? Get(Headers? headers, string name) =>
        headers is not null && headers.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;
}
