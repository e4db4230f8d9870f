using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Cohort.Domain.Accounts;

namespace Cohort.Cluster.Entities.Accounts;

/// <summary>One change of one asset of an account, as its journal record tells it.</summary>
public sealed record LedgerEntry(long SeqNr, string Asset, string Kind, decimal DeltaAvailable, decimal DeltaFrozen,
    decimal AvailableAfter, decimal FrozenAfter, string RequestId, DateTime At);

/// <summary>
/// An account's ledger, read off its journal: each account record carries its event and the asset's balances right
/// after it, so a page is the records after a sequence number, nothing else. Refused commands are in the journal
/// too, and take sequence numbers, but are not ledger entries.
/// </summary>
public sealed class AccountLedger(ActorSystem system)
{
    private readonly SqlReadJournal journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
    private readonly IMaterializer materializer = system.Materializer();

    /// <returns>Up to <paramref name="limit"/> entries after <paramref name="after"/>, of <paramref name="asset"/> when it is given.</returns>
    public async Task<IReadOnlyList<LedgerEntry>> ReadAsync(string accountId, string? asset, long after, int limit, CancellationToken ct)
    {
        var entries = await journal
            .CurrentEventsByPersistenceId(PersistenceIds.Of(AccountRegion.TypeName, accountId), after + 1, long.MaxValue)
            .Where(e => e.Event is AccountRecord r && (asset is null || r.Event.Asset == asset))
            .Take(limit)
            .Select(e => Entry(e.SequenceNr, (AccountRecord)e.Event))
            .RunWith(Sink.Seq<LedgerEntry>(), materializer);
        ct.ThrowIfCancellationRequested();
        return entries;
    }

    public static LedgerEntry Entry(long seqNr, AccountRecord r)
    {
        var delta = AccountDelta.Of(r.Event);
        return new LedgerEntry(seqNr, r.Event.Asset, delta.Kind, delta.Available, delta.Frozen, r.After.Available, r.After.Frozen,
            r.Stamp.RequestId, r.Stamp.At);
    }
}
