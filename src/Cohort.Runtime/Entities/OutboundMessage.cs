using Confluent.Kafka;

namespace Cohort.Runtime.Entities;

/// <summary>A message an event sends once it is journaled: its public event, or a command to another entity.</summary>
public sealed record OutboundMessage(string Topic, string Key, byte[] Value, Headers? Headers = null);
