using Akka.Actor;
using Akka.TestKit.Xunit2;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Hosting;
using Cohort.Cluster.Metrics;
using Cohort.Cluster.Persistence;
using Cohort.Domain.Accounts;
using Xunit.Abstractions;

namespace Cohort.Cluster.Tests.Support;

/// <summary>
/// A TestKit whose ActorSystem has exactly a node's journal, snapshot store, serializer and tunables
/// (<see cref="CohortHosting.AddJournal"/>) on the test class's own migrated database; entities are created
/// directly, without sharding. Each test uses its own entity ids, so tests of a class share the database safely.
/// </summary>
public abstract class ActorSpec : TestKit, IClassFixture<JournalDatabase>
{
    /// <summary>Generous: every answer waits for PostgreSQL, and test classes run in parallel.</summary>
    public const string TestHocon = "akka.test.single-expect-default = 15s";

    private readonly ActorSystemHost host;

    protected ActorSpec(JournalDatabase journal, ITestOutputHelper output, MessageFormats? formats = null)
        : this(formats ?? CohortHosting.Formats(CohortHosting.EntityModules), journal, output)
    {
    }

    private ActorSpec(MessageFormats formats, JournalDatabase journal, ITestOutputHelper output)
        : this(Start(formats, journal), formats, journal, output)
    {
    }

    private ActorSpec(ActorSystemHost host, MessageFormats formats, JournalDatabase journal, ITestOutputHelper output)
        : base(host.System, output)
    {
        this.host = host;
        Formats = formats;
        Journal = journal;
    }

    protected JournalDatabase Journal { get; }

    protected MessageFormats Formats { get; }

    /// <summary>This test's instruments: counting on them sees this test's entities only.</summary>
    protected CohortMetrics Metrics { get; } = new();

    /// <summary>Off xunit's synchronization context: a constructor cannot await.</summary>
    private static ActorSystemHost Start(MessageFormats formats, JournalDatabase journal) =>
        Task.Run(() => ActorSystemHost.StartAsync("cohort-test", formats, journal.ConnectionString, TestHocon)).GetAwaiter().GetResult();

    protected override void AfterAll()
    {
        base.AfterAll();
        Task.Run(() => host.DisposeAsync().AsTask()).GetAwaiter().GetResult();
        Metrics.Dispose();
    }

    /// <summary>A unique entity id: tests of a class share one database.</summary>
    protected static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    protected static string AccountPid(string accountId) => PersistenceIds.Of(AccountRegion.TypeName, accountId);

    protected IActorRef StartAccount(string accountId, EntityOptions? options = null) =>
        Sys.ActorOf(AccountActor.PropsFor(accountId, options ?? new EntityOptions(), Metrics));

    protected static AccountCommandEnvelope Command(string accountId, string requestId, AccountCommand command) =>
        AccountCommandParser.Envelope(accountId, requestId, command);

    /// <summary>Sends one command and returns its answer, whatever it is.</summary>
    protected async Task<CommandReply> SendAsync(IActorRef entity, object command)
    {
        entity.Tell(command, TestActor);
        return await ExpectMsgAsync<CommandReply>();
    }

    protected async Task<AccountCommandAccepted> AcceptedAsync(IActorRef account, AccountCommandEnvelope command)
    {
        var reply = await SendAsync(account, command);
        return Assert.IsType<AccountCommandAccepted>(reply);
    }

    protected async Task<CommandRejected> RejectedAsync(IActorRef account, AccountCommandEnvelope command, string code)
    {
        var reply = await SendAsync(account, command);
        var rejected = Assert.IsType<CommandRejected>(reply);
        Assert.Equal(code, rejected.Code);
        Assert.Equal(command.RequestId, rejected.RequestId);
        return rejected;
    }

    protected async Task<AccountBalances> BalancesAsync(IActorRef account, string accountId)
    {
        account.Tell(new GetAccount(accountId), TestActor);
        return await ExpectMsgAsync<AccountBalances>();
    }

    /// <summary>Balances as plain values, comparable with Assert.Equal.</summary>
    protected static List<(string Asset, decimal Available, decimal Frozen)> Flat(AccountBalances balances) =>
        balances.Balances.Select(b => (b.Asset, b.Available, b.Frozen)).ToList();

    /// <summary>Stops an entity the way sharding passivates it, and waits until it is gone.</summary>
    protected async Task StopAsync(IActorRef entity)
    {
        Watch(entity);
        entity.Tell(StopEntity.Instance);
        await ExpectTerminatedAsync(entity);
        Unwatch(entity);
    }
}
