using Cohort.Domain.Transfers;

namespace Cohort.Domain.Tests.Transfers;

public class TransferTests
{
    private static readonly TransferTerms Terms = new("alice", "bob", "USDT", 10m);

    [Fact]
    public void A_transfer_that_every_account_accepts_goes_debiting_crediting_completed()
    {
        var state = Apply(TransferState.New("t-1"), new StartTransfer(Terms));
        Assert.Equal(TransferStatus.Debiting, state.Status);
        state = Apply(state, new StepAnswered(TransferStep.Debit, true, null));
        Assert.Equal(TransferStatus.Crediting, state.Status);
        state = Apply(state, new StepAnswered(TransferStep.Credit, true, null));

        Assert.Equal(TransferStatus.Completed, state.Status);
        Assert.True(state.IsFinal);
        Assert.Equal(Terms, state.Terms);
        Assert.Null(state.Reason);
    }

    [Fact]
    public void A_refused_debit_rejects_the_transfer_with_the_accounts_reason()
    {
        var state = Apply(TransferState.New("t-1"), new StartTransfer(Terms));
        state = Apply(state, new StepAnswered(TransferStep.Debit, false, RejectionCodes.InsufficientFunds));

        Assert.Equal(TransferStatus.Rejected, state.Status);
        Assert.Equal(RejectionCodes.InsufficientFunds, state.Reason);
    }

    [Fact]
    public void A_refused_credit_refunds_and_then_rejects_with_the_credits_reason()
    {
        var state = Apply(TransferState.New("t-1"), new StartTransfer(Terms));
        state = Apply(state, new StepAnswered(TransferStep.Debit, true, null));
        state = Apply(state, new StepAnswered(TransferStep.Credit, false, RejectionCodes.BalanceLimitExceeded));
        Assert.Equal(TransferStatus.Refunding, state.Status);
        Assert.False(state.IsFinal);
        state = Apply(state, new StepAnswered(TransferStep.Refund, true, null));

        Assert.Equal(TransferStatus.Rejected, state.Status);
        Assert.Equal(RejectionCodes.BalanceLimitExceeded, state.Reason);
    }

    [Theory]
    [InlineData(TransferStep.Debit, true)]
    [InlineData(TransferStep.Credit, true)]
    [InlineData(TransferStep.Refund, true)]
    [InlineData(TransferStep.Debit, false)]
    public void An_answer_for_a_step_the_transfer_is_not_waiting_for_changes_nothing(TransferStep step, bool accepted)
    {
        var completed = new[] { (TransferCommand)new StartTransfer(Terms), new StepAnswered(TransferStep.Debit, true, null), new StepAnswered(TransferStep.Credit, true, null) }
            .Aggregate(TransferState.New("t-1"), Apply);

        var decision = Transfer.Decide(completed, new StepAnswered(step, accepted, accepted ? null : "insufficient_funds"));

        Assert.False(decision.IsRejected);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void A_refund_refused_leaves_the_transfer_refunding_for_reconciliation_to_report()
    {
        var state = new[] { (TransferCommand)new StartTransfer(Terms), new StepAnswered(TransferStep.Debit, true, null), new StepAnswered(TransferStep.Credit, false, "balance_limit_exceeded") }
            .Aggregate(TransferState.New("t-1"), Apply);

        var decision = Transfer.Decide(state, new StepAnswered(TransferStep.Refund, false, "balance_limit_exceeded"));

        Assert.Empty(decision.Events);
        Assert.Equal(TransferStatus.Refunding, state.Status);
    }

    [Fact]
    public void Starting_an_existing_transfer_again_is_an_idempotency_conflict()
    {
        var state = Apply(TransferState.New("t-1"), new StartTransfer(Terms));

        var decision = Transfer.Decide(state, new StartTransfer(Terms with { Amount = 11m }));

        Assert.Equal(RejectionCodes.IdempotencyConflict, decision.Rejection?.Code);
    }

    [Theory]
    [InlineData("alice", "alice", "USDT", "1")]
    [InlineData("alice", "", "USDT", "1")]
    [InlineData("alice", "bob", "usdt", "1")]
    [InlineData("alice", "bob", "USDT", "0")]
    [InlineData("alice", "bob", "USDT", "-1")]
    public void Invalid_terms_are_refused_as_validation_failed(string from, string to, string asset, string amount)
    {
        var decision = Transfer.Decide(TransferState.New("t-1"), new StartTransfer(new TransferTerms(from, to, asset, decimal.Parse(amount))));

        Assert.Equal(RejectionCodes.ValidationFailed, decision.Rejection?.Code);
        Assert.Empty(decision.Events);
    }

    private static TransferState Apply(TransferState state, TransferCommand command)
    {
        var decision = Transfer.Decide(state, command);
        Assert.False(decision.IsRejected, decision.Rejection?.Message);
        return decision.Events.Aggregate(state, Transfer.Evolve);
    }
}
