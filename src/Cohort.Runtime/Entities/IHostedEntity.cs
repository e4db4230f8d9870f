using Cohort.Runtime.Partitions;
using Confluent.Kafka;

namespace Cohort.Runtime.Entities;

/// <summary>An entity type registered with the node: its partitions are consumed and processed here.</summary>
internal interface IHostedEntity
{
    string Name { get; }

    IPartitionProcessor CreateProcessor(TopicPartition topicPartition, PartitionContext context);
}

internal sealed class HostedEntity<TState, TCommand, TEvent>(EntityType<TState, TCommand, TEvent> type) : IHostedEntity
    where TState : class
    where TCommand : class
    where TEvent : class
{
    public string Name => type.Name;

    public IPartitionProcessor CreateProcessor(TopicPartition topicPartition, PartitionContext context) =>
        new PartitionProcessor<TState, TCommand, TEvent>(type, topicPartition, context);
}
