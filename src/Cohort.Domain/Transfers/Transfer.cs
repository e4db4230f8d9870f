namespace Cohort.Domain.Transfers;

/// <summary>
/// The transfer process: debit the sender, then credit the receiver; if the receiver refuses, refund the sender.
/// It ends completed (debited and credited once) or rejected (nothing moved). Answers that arrive for a step
/// the transfer is no longer waiting for (a replayed answer) change nothing.
/// </summary>
public static class Transfer
{
    public static Decision<TransferEvent> Decide(TransferState state, TransferCommand command) => command switch
    {
        StartTransfer when state.Status != TransferStatus.None =>
            Decision<TransferEvent>.Reject(RejectionCodes.IdempotencyConflict, $"transfer '{state.TransferId}' already exists"),
        StartTransfer c => Start(c),
        StepAnswered { Step: TransferStep.Debit } a when state.Status == TransferStatus.Debiting => a.Accepted
            ? Decision<TransferEvent>.Accept(new TransferDebitConfirmed())
            : Decision<TransferEvent>.Accept(new TransferRejected(a.Code ?? "debit_refused")),
        StepAnswered { Step: TransferStep.Credit } a when state.Status == TransferStatus.Crediting => a.Accepted
            ? Decision<TransferEvent>.Accept(new TransferCompleted())
            : Decision<TransferEvent>.Accept(new TransferCreditRefused(a.Code ?? "credit_refused")),
        StepAnswered { Step: TransferStep.Refund, Accepted: true } when state.Status == TransferStatus.Refunding =>
            Decision<TransferEvent>.Accept(new TransferRejected(state.Reason ?? "credit_refused")),
        StepAnswered => Decision<TransferEvent>.Accept(),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, "unknown transfer command"),
    };

    public static TransferState Evolve(TransferState state, TransferEvent @event) => @event switch
    {
        TransferStarted e => state with { Status = TransferStatus.Debiting, From = e.From, To = e.To, Asset = e.Asset, Amount = e.Amount },
        TransferDebitConfirmed => state with { Status = TransferStatus.Crediting },
        TransferCompleted => state with { Status = TransferStatus.Completed },
        TransferCreditRefused e => state with { Status = TransferStatus.Refunding, Reason = e.Reason },
        TransferRejected e => state with { Status = TransferStatus.Rejected, Reason = e.Reason },
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event, "unknown transfer event"),
    };

    private static Decision<TransferEvent> Start(StartTransfer c)
    {
        if (!Identifier.IsValid(c.From) || !Identifier.IsValid(c.To))
        {
            return Decision<TransferEvent>.Reject(RejectionCodes.ValidationFailed, "from and to must be valid account ids");
        }
        if (c.From == c.To)
        {
            return Decision<TransferEvent>.Reject(RejectionCodes.ValidationFailed, "from and to must be different accounts");
        }
        if (!AssetCode.IsValid(c.Asset) || c.Amount <= 0m || c.Amount.Scale > Amount.MaxFractionalDigits)
        {
            return Decision<TransferEvent>.Reject(RejectionCodes.ValidationFailed, "asset and a positive amount are required");
        }
        return Decision<TransferEvent>.Accept(new TransferStarted(c.From, c.To, c.Asset, c.Amount));
    }
}
