namespace Cohort.Domain.Transfers;

public abstract record TransferEvent(TransferTerms Terms);

public sealed record TransferStarted(TransferTerms Terms) : TransferEvent(Terms);

public sealed record TransferDebitConfirmed(TransferTerms Terms) : TransferEvent(Terms);

public sealed record TransferCompleted(TransferTerms Terms) : TransferEvent(Terms);

/// <summary>The receiver refused the credit; the debit is being given back.</summary>
public sealed record TransferCreditRefused(TransferTerms Terms, string Reason) : TransferEvent(Terms);

/// <summary>Final: nothing moved (the debit was refused, or it was refunded).</summary>
public sealed record TransferRejected(TransferTerms Terms, string Reason) : TransferEvent(Terms);
