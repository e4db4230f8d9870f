using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Cohort.Domain.Transfers;

namespace Cohort.Cluster.Entities.Transfers;

/// <summary>
/// A transfer as its journal holds it, read without its entity: asking the entity would start it, and the transfer
/// region remembers every entity it starts (two journal writes for a read). A transfer answers its POST only after
/// its outcome is journaled, so a GET after that POST sees it.
/// </summary>
public sealed class TransferHistory(ActorSystem system)
{
    private readonly SqlReadJournal journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
    private readonly IMaterializer materializer = system.Materializer();

    /// <returns>The transfer, or null when none was started under this id.</returns>
    public async Task<TransferAnswer?> ReadAsync(string transferId, CancellationToken ct)
    {
        var state = await journal
            .CurrentEventsByPersistenceId(PersistenceIds.Of(TransferRegion.TypeName, transferId), 0, long.MaxValue)
            .RunAggregate(TransferState.New(transferId), (s, e) => e.Event is TransferRecord r ? Transfer.Evolve(s, r.Event) : s, materializer);
        ct.ThrowIfCancellationRequested();
        return state.Status == TransferStatus.None ? null : TransferAnswer.Of(transferId, state);
    }
}
