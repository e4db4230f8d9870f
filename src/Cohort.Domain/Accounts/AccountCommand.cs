namespace Cohort.Domain.Accounts;

/// <summary>A request to change one asset of an account by a positive amount.</summary>
public abstract record AccountCommand(string Asset, decimal Amount);

/// <summary>Adds to the available balance.</summary>
public sealed record Deposit(string Asset, decimal Amount) : AccountCommand(Asset, Amount);

/// <summary>Takes from the available balance.</summary>
public sealed record Withdraw(string Asset, decimal Amount) : AccountCommand(Asset, Amount);

/// <summary>Moves funds from available to frozen, holding them for a payment.</summary>
public sealed record Freeze(string Asset, decimal Amount) : AccountCommand(Asset, Amount);

/// <summary>Moves frozen funds back to available.</summary>
public sealed record Unfreeze(string Asset, decimal Amount) : AccountCommand(Asset, Amount);

/// <summary>Spends frozen funds: the payment went through.</summary>
public sealed record Settle(string Asset, decimal Amount) : AccountCommand(Asset, Amount);

/// <summary>Takes the sending side of a transfer from the available balance.</summary>
public sealed record TransferDebit(string Asset, decimal Amount, string TransferId, string Counterparty) : AccountCommand(Asset, Amount);

/// <summary>Adds the receiving side of a transfer to the available balance.</summary>
public sealed record TransferCredit(string Asset, decimal Amount, string TransferId, string Counterparty) : AccountCommand(Asset, Amount);

/// <summary>Gives a debited transfer back to its sender when the receiver could not be credited.</summary>
public sealed record TransferRefund(string Asset, decimal Amount, string TransferId, string Counterparty) : AccountCommand(Asset, Amount);
