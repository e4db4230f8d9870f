namespace Cohort.Domain.Accounts;

/// <summary>A change that happened to one asset of an account.</summary>
public abstract record AccountEvent(string Asset, decimal Amount);

public sealed record Deposited(string Asset, decimal Amount) : AccountEvent(Asset, Amount);

public sealed record Withdrawn(string Asset, decimal Amount) : AccountEvent(Asset, Amount);

public sealed record Frozen(string Asset, decimal Amount) : AccountEvent(Asset, Amount);

public sealed record Unfrozen(string Asset, decimal Amount) : AccountEvent(Asset, Amount);

public sealed record Settled(string Asset, decimal Amount) : AccountEvent(Asset, Amount);

public sealed record TransferDebited(string Asset, decimal Amount, string TransferId, string Counterparty) : AccountEvent(Asset, Amount), ITransferLeg;

public sealed record TransferCredited(string Asset, decimal Amount, string TransferId, string Counterparty) : AccountEvent(Asset, Amount), ITransferLeg;

public sealed record TransferRefunded(string Asset, decimal Amount, string TransferId, string Counterparty) : AccountEvent(Asset, Amount), ITransferLeg;
