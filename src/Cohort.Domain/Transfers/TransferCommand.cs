namespace Cohort.Domain.Transfers;

public abstract record TransferCommand;

/// <summary>Moves an amount of an asset from one account to another.</summary>
public sealed record StartTransfer(TransferTerms Terms) : TransferCommand;

/// <summary>An account's answer to one step of the transfer: accepted, or refused with a rejection code.</summary>
public sealed record StepAnswered(TransferStep Step, bool Accepted, string? Code) : TransferCommand;

public enum TransferStep
{
    Debit,
    Credit,
    Refund,
}
