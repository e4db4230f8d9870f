using Cohort.Cluster.Entities.Orders;
using Cohort.Domain.Orders;

namespace Cohort.Cluster.Tests.Entities;

/// <summary>An order's step request ids: each step's id parses back to its order, step and attempt, and nothing else parses.</summary>
public class OrderStepsTests
{
    [Theory]
    [InlineData("o-1", OrderStep.Reserve, 1, "o-1:reserve")]
    [InlineData("o-1", OrderStep.Freeze, 1, "o-1:freeze")]
    [InlineData("o-1", OrderStep.Freeze, 2, "o-1:freeze-2")]
    [InlineData("o-1", OrderStep.Freeze, 13, "o-1:freeze-13")]
    [InlineData("o-1", OrderStep.Confirm, 1, "o-1:confirm")]
    [InlineData("o-1", OrderStep.Settle, 1, "o-1:settle")]
    [InlineData("o-1", OrderStep.Release, 1, "o-1:release")]
    [InlineData("o-1", OrderStep.Unfreeze, 1, "o-1:unfreeze")]
    [InlineData("flash:mug-1:alice", OrderStep.Reserve, 1, "flash:mug-1:alice:reserve")]
    [InlineData("flash:mug-1:alice", OrderStep.Freeze, 3, "flash:mug-1:alice:freeze-3")]
    [InlineData("o:reserve", OrderStep.Release, 1, "o:reserve:release")]
    public void A_step_request_id_parses_back_to_its_order_step_and_attempt(string orderId, OrderStep step, int attempt, string requestId)
    {
        Assert.Equal(requestId, OrderSteps.RequestId(orderId, step, attempt));
        Assert.True(OrderSteps.TryParse(requestId, out var parsedOrder, out var parsedStep, out var parsedAttempt));
        Assert.Equal((orderId, step, attempt), (parsedOrder, parsedStep, parsedAttempt));
    }

    [Theory]
    [InlineData(OrderStep.Reserve)]
    [InlineData(OrderStep.Confirm)]
    [InlineData(OrderStep.Settle)]
    [InlineData(OrderStep.Release)]
    [InlineData(OrderStep.Unfreeze)]
    public void Only_the_freeze_id_names_its_attempt(OrderStep step) =>
        Assert.Equal(OrderSteps.RequestId("o-1", step, 1), OrderSteps.RequestId("o-1", step, 3));

    [Theory]
    [InlineData("o-1")]
    [InlineData("o-1:")]
    [InlineData(":reserve")]
    [InlineData("reserve")]
    [InlineData("o-1:Reserve")]
    [InlineData("o-1:reserve ")]
    [InlineData("o-1:reserved")]
    [InlineData("o-1:freeze-")]
    [InlineData("o-1:freeze-1")]
    [InlineData("o-1:freeze-0")]
    [InlineData("o-1:freeze--2")]
    [InlineData("o-1:freeze-x")]
    [InlineData("o-1:freeze-99999999999")]
    [InlineData("o-1:freeze-+2")]
    [InlineData("o-1:freeze- 2")]
    [InlineData("o-1:freeze-2 ")]
    [InlineData("o-1:freeze-02")]
    [InlineData("o-1:pay-1")]
    [InlineData("o-1:cancel")]
    [InlineData("o-1:expire")]
    [InlineData("")]
    public void Anything_but_a_step_id_does_not_parse(string requestId) =>
        Assert.False(OrderSteps.TryParse(requestId, out _, out _, out _));

    [Fact]
    public void The_buyers_requests_and_the_expiry_have_their_own_ids()
    {
        Assert.Equal(("o-1:pay-1", "o-1:pay-2", "o-1:cancel", "o-1:expire"),
            (OrderSteps.Pay("o-1", 1), OrderSteps.Pay("o-1", 2), OrderSteps.Cancel("o-1"), OrderSteps.Expire("o-1")));
    }
}
