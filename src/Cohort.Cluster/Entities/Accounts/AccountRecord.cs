using Cohort.Domain.Accounts;

namespace Cohort.Cluster.Entities.Accounts;

/// <summary>
/// One account event as the journal holds it, with the balance of its asset right after it: the ledger and every
/// answer are read off the journal row alone.
/// </summary>
public sealed record AccountRecord(Stamp Stamp, AccountEvent Event, AssetBalance After) : IEventRecord<AccountEvent>;

/// <summary>An account's state and the request ids it remembers, as of a journal position.</summary>
public sealed record AccountSnapshot(AccountState State, LoggedRequest[] Requests) : Persistence.ICohortMessage;
