using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Kafka;
using Cohort.Cluster.Tests.Support;
using Xunit.Abstractions;

namespace Cohort.Cluster.Tests.Kafka;

/// <summary>
/// Acceptance: commands produced by a client that partitions its own way still reach their accounts. The node
/// routes by the account id inside each command, never by the partition it arrived on.
/// </summary>
[Collection(InProcessNodeCollection.Name)]
public sealed class KcatAcceptanceTests(KcatAcceptanceTests.Node fixture, ITestOutputHelper output) : IClassFixture<KcatAcceptanceTests.Node>
{
    private const int Accounts = 200;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public sealed class Node() : InProcessNodeFixture("kcat");

    [Fact]
    public async Task Deposits_produced_by_kcat_with_its_default_partitioner_are_all_applied_and_none_is_dead_lettered()
    {
        output.WriteLine($"node log: {fixture.Node.LogPath}");
        var run = NodeIds.Run();
        var accounts = Enumerable.Range(0, Accounts).Select(i => $"kcat-{run}-{i:000}").ToList();
        var topic = CohortTopics.Commands(AccountRegion.TypeName);

        await NodeKcat.ProduceAsync(fixture.Kafka.BootstrapServers, topic,
            accounts.Select((account, i) => (account,
                $$"""{"type":"deposit","requestId":"{{account}}-d1","accountId":"{{account}}","asset":"USDT","amount":"{{i + 1}}.25"}""")),
            Timeout);
        var ends = fixture.Kafka.Ends(topic);

        // kcat spread the accounts over the partitions by its own hash: the node cannot have relied on where they landed.
        var produced = fixture.Kafka.ReadToEnd(topic).Where(m => m.Message.Key is { } key && accounts.Contains(key)).ToList();
        Assert.Equal(Accounts, produced.Count);
        Assert.True(produced.Select(m => m.Partition.Value).Distinct().Count() > 1, "kcat put every account on one partition");

        // The group commits past a command only once it is answered or dead-lettered: then every one has its outcome.
        await fixture.Kafka.WaitUntilCommittedAsync(fixture.GroupId, ends, Timeout);

        var journal = await fixture.Database.JournalAsync(accounts.Select(a => PersistenceIds.Of(AccountRegion.TypeName, a)).ToList());
        var missing = accounts.Where(a => !journal.Any(r => r.PersistenceId == PersistenceIds.Of(AccountRegion.TypeName, a))).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} accounts have no journal record, e.g. {string.Join(", ", missing.Take(5))}");
        Assert.All(journal, r =>
        {
            Assert.Equal(1, r.SeqNr);
            Assert.Equal("account.deposited.v1", r.Manifest);
        });
        Assert.Equal(Accounts, journal.Count);

        for (var i = 0; i < Accounts; i++)
        {
            var balances = Assert.IsType<AccountBalances>(await fixture.Node.AskAsync(fixture.Node.Accounts, new GetAccount(accounts[i])));
            var usdt = Assert.Single(balances.Balances);
            Assert.Equal(("USDT", i + 1.25m, 0m), (usdt.Asset, usdt.Available, usdt.Frozen));
        }

        var deadLettered = fixture.Kafka.ReadToEnd(CohortTopics.DeadLetters(AccountRegion.TypeName))
            .Where(m => m.Message.Key is { } key && accounts.Contains(key))
            .Select(m => $"{m.Message.Key}: {NodeKafka.Header(m, CohortHeaders.DeadLetterReason)}")
            .ToList();
        Assert.Empty(deadLettered);
    }
}
