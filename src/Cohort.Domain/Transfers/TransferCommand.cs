namespace Cohort.Domain.Transfers;

public abstract record TransferCommand;

/// <summary>Moves <paramref name="Amount"/> of <paramref name="Asset"/> from one account to another.</summary>
public sealed record StartTransfer(string From, string To, string Asset, decimal Amount) : TransferCommand;

/// <summary>An account's answer to one step of the transfer: accepted, or refused with a rejection code.</summary>
public sealed record StepAnswered(TransferStep Step, bool Accepted, string? Code) : TransferCommand;

public enum TransferStep
{
    Debit,
    Credit,
    Refund,
}
