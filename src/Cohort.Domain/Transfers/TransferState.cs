namespace Cohort.Domain.Transfers;

/// <summary>A transfer between two accounts, driven step by step by the answers of those accounts.</summary>
public sealed record TransferState(string TransferId, TransferStatus Status, TransferTerms Terms, string? Reason)
{
    public static TransferState New(string transferId) => new(transferId, TransferStatus.None, new TransferTerms("", "", "", 0m), null);

    public bool IsFinal => Status is TransferStatus.Completed or TransferStatus.Rejected;
}
