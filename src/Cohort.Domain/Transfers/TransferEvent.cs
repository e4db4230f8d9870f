namespace Cohort.Domain.Transfers;

public abstract record TransferEvent;

public sealed record TransferStarted(string From, string To, string Asset, decimal Amount) : TransferEvent;

public sealed record TransferDebitConfirmed : TransferEvent;

public sealed record TransferCompleted : TransferEvent;

/// <summary>The receiver refused the credit; the debit is being given back.</summary>
public sealed record TransferCreditRefused(string Reason) : TransferEvent;

/// <summary>Final: nothing moved (the debit was refused, or it was refunded).</summary>
public sealed record TransferRejected(string Reason) : TransferEvent;
