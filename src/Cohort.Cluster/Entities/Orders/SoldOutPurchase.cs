namespace Cohort.Cluster.Entities.Orders;

/// <summary>A flash-sale purchase read off Kafka for a product this node's sold-out board holds as sold out.</summary>
public sealed record SoldOutPurchase(string EntityId, CommandRejected Reply) : IAnsweredAtOnce
{
    CommandReply IAnsweredAtOnce.Reply => Reply;
}
