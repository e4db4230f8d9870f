namespace Cohort.Domain.Transfers;

/// <summary>Where a transfer is. Only <see cref="Completed"/> and <see cref="Rejected"/> are final.</summary>
public enum TransferStatus
{
    /// <summary>Not started: no transfer with this id exists.</summary>
    None,

    /// <summary>Waiting for the sender's account to take the amount.</summary>
    Debiting,

    /// <summary>Debited; waiting for the receiver's account to take it.</summary>
    Crediting,

    /// <summary>The receiver refused; giving the amount back to the sender.</summary>
    Refunding,

    Completed,

    Rejected,
}
