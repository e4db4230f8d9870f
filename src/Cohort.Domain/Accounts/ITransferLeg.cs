namespace Cohort.Domain.Accounts;

/// <summary>A change of an account made as one side of a transfer.</summary>
public interface ITransferLeg
{
    string TransferId { get; }

    string Counterparty { get; }
}
