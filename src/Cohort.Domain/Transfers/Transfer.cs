namespace Cohort.Domain.Transfers;

/// <summary>
/// The transfer process: debit the sender, then credit the receiver; if the receiver refuses, refund the sender.
/// It ends completed (debited and credited once) or rejected (nothing moved). Answers that arrive for a step
/// the transfer is no longer waiting for (a replayed answer) change nothing.
/// </summary>
public static class Transfer
{
    public static Decision<TransferEvent> Decide(TransferState state, TransferCommand command)
    {
        var terms = state.Terms;
        return command switch
        {
            StartTransfer when state.Status != TransferStatus.None =>
                Decision<TransferEvent>.Reject(RejectionCodes.IdempotencyConflict, $"transfer '{state.TransferId}' already exists"),
            StartTransfer c => Start(c.Terms),
            StepAnswered { Step: TransferStep.Debit } a when state.Status == TransferStatus.Debiting => a.Accepted
                ? Decision<TransferEvent>.Accept(new TransferDebitConfirmed(terms))
                : Decision<TransferEvent>.Accept(new TransferRejected(terms, a.Code ?? "debit_refused")),
            StepAnswered { Step: TransferStep.Credit } a when state.Status == TransferStatus.Crediting => a.Accepted
                ? Decision<TransferEvent>.Accept(new TransferCompleted(terms))
                : Decision<TransferEvent>.Accept(new TransferCreditRefused(terms, a.Code ?? "credit_refused")),
            StepAnswered { Step: TransferStep.Refund, Accepted: true } when state.Status == TransferStatus.Refunding =>
                Decision<TransferEvent>.Accept(new TransferRejected(terms, state.Reason ?? "credit_refused")),
            StepAnswered => Decision<TransferEvent>.Accept(),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command, "unknown transfer command"),
        };
    }

    public static TransferState Evolve(TransferState state, TransferEvent @event) => @event switch
    {
        TransferStarted e => state with { Status = TransferStatus.Debiting, Terms = e.Terms },
        TransferDebitConfirmed => state with { Status = TransferStatus.Crediting },
        TransferCompleted => state with { Status = TransferStatus.Completed },
        TransferCreditRefused e => state with { Status = TransferStatus.Refunding, Reason = e.Reason },
        TransferRejected e => state with { Status = TransferStatus.Rejected, Reason = e.Reason, Terms = e.Terms },
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event, "unknown transfer event"),
    };

    private static Decision<TransferEvent> Start(TransferTerms t)
    {
        if (!Identifier.IsValid(t.From) || !Identifier.IsValid(t.To))
        {
            return Decision<TransferEvent>.Reject(RejectionCodes.ValidationFailed, "from and to must be valid account ids");
        }
        if (t.From == t.To)
        {
            return Decision<TransferEvent>.Reject(RejectionCodes.ValidationFailed, "from and to must be different accounts");
        }
        if (!AssetCode.IsValid(t.Asset) || t.Amount <= 0m || t.Amount.Scale > Amount.MaxFractionalDigits)
        {
            return Decision<TransferEvent>.Reject(RejectionCodes.ValidationFailed, "asset and a positive amount are required");
        }
        return Decision<TransferEvent>.Accept(new TransferStarted(t));
    }
}
