using Confluent.Kafka;

namespace Cohort.Runtime.Entities;

/// <summary>A message an event sends once it is journaled: its public event, or a command to another entity.</summary>
/// <param name="IsEvent">
/// A public event, for whoever listens: nobody's answer waits on it, so it may linger in the producer to be sent
/// with others (<c>Cohort:Kafka:EventLingerMs</c>). A command to another entity is on a process's critical path.
/// </param>
public sealed record OutboundMessage(string Topic, string Key, byte[] Value, Headers? Headers = null, bool IsEvent = false);
