using Cohort.Runtime.Kafka;
using Cohort.Runtime.Metrics;
using Cohort.Runtime.Persistence;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Cohort.Runtime.Partitions;

/// <summary>What a partition processor shares with the rest of its node.</summary>
internal sealed record PartitionContext(
    string NodeId,
    int PartitionCount,
    Journal Journal,
    GroupCommitter Committer,
    PartitionEpochs Epochs,
    MessageProducer Producer,
    Action<TopicPartitionOffset> StoreOffset,
    PipelineOptions Options,
    RuntimeMetrics Metrics,
    ILoggerFactory LoggerFactory);
