namespace Cohort.Domain.Tests;

public class DecisionTests
{
    [Fact]
    public void Accept_carries_the_events_in_order_and_no_rejection()
    {
        var decision = Decision<string>.Accept("first", "second");

        Assert.False(decision.IsRejected);
        Assert.Null(decision.Rejection);
        Assert.Equal(["first", "second"], decision.Events);
    }

    [Fact]
    public void Accept_without_events_is_not_a_rejection()
    {
        var decision = Decision<string>.Accept();

        Assert.False(decision.IsRejected);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void Reject_carries_the_rejection_and_no_events()
    {
        var decision = Decision<string>.Reject(RejectionCodes.InsufficientFunds, "not enough");

        Assert.True(decision.IsRejected);
        Assert.Equal(new Rejection(RejectionCodes.InsufficientFunds, "not enough"), decision.Rejection);
        Assert.Empty(decision.Events);
    }
}
