using Akka.Actor;
using Akka.TestKit;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Tests.Support;
using Cohort.Domain.Accounts;
using Xunit.Abstractions;

namespace Cohort.Cluster.Tests.Entities;

/// <summary>
/// Two incarnations of one account on two ActorSystems, as when a partitioned node still runs an entity that moved:
/// the journal's unique (persistence_id, sequence_number) refuses the stale one's write, it answers nothing it did
/// not write, and everything either one answered is what the journal holds.
/// </summary>
public sealed class StaleWriterTests(JournalDatabase journal, ITestOutputHelper output) : ActorSpec(journal, output)
{
    [Fact]
    public async Task The_incarnation_that_did_not_recover_the_last_write_cannot_write()
    {
        var id = NewId("acc");
        await using var other = await ActorSystemHost.StartAsync("cohort-b", Formats, Journal.ConnectionString, TestHocon);
        var probeA = CreateTestProbe();
        var probeB = CreateTestProbe(other.System);
        var answers = new List<(AccountCommandEnvelope Command, CommandReply Reply)>();

        var a = StartAccount(id);
        answers.Add(await SendAsync(a, probeA, Command(id, "a-1", new Deposit("USDT", 10m))));

        var b = other.System.ActorOf(AccountActor.PropsFor(id, new EntityOptions(), Metrics));
        answers.Add(await SendAsync(b, probeB, Command(id, "b-1", new Deposit("USDT", 5m))));

        // A still believes the account holds 10 at number 1: its next write takes number 2, which B wrote.
        // Both are decided (the second one behind the first's write) before the journal refuses that write.
        probeA.Watch(a);
        var staleCommands = new[] { Command(id, "a-2", new Deposit("USDT", 7m)), Command(id, "a-3", new Withdraw("USDT", 12m)) };
        await using (await Journal.BlockJournalWritesAsync())
        {
            foreach (var command in staleCommands)
            {
                a.Tell(command, probeA);
            }
            await probeA.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        }
        foreach (var command in staleCommands)
        {
            var reply = await probeA.ExpectMsgAsync<CommandUnavailable>(u => u.RequestId == command.RequestId);
            Assert.Contains("event_journal_uq", reply.Reason); // refused by the constraint, not lost some other way
            answers.Add((command, reply));
        }
        await probeA.ExpectTerminatedAsync(a); // a write that failed stops the entity; its next message would recover it

        answers.Add(await SendAsync(b, probeB, Command(id, "b-2", new Withdraw("USDT", 1m))));
        Assert.Equal(["a-1", "b-1", "b-2"], answers.Where(x => x.Reply is AccountCommandAccepted).Select(x => x.Command.RequestId));

        await AssertAnswersMatchJournalAsync(id, answers);
        await AssertFreshIncarnationRecoversJournalAsync(id, answers);
    }

    [Fact]
    public async Task An_incarnation_whose_twin_wrote_last_cannot_write_either()
    {
        // The mirror image: A writes after B recovered, so it is B whose picture is stale.
        var id = NewId("acc");
        await using var other = await ActorSystemHost.StartAsync("cohort-b", Formats, Journal.ConnectionString, TestHocon);
        var probeA = CreateTestProbe();
        var probeB = CreateTestProbe(other.System);
        var answers = new List<(AccountCommandEnvelope Command, CommandReply Reply)>();

        var a = StartAccount(id);
        answers.Add(await SendAsync(a, probeA, Command(id, "a-1", new Deposit("USDT", 10m))));
        var b = other.System.ActorOf(AccountActor.PropsFor(id, new EntityOptions(), Metrics));
        probeB.Watch(b);
        b.Tell(new GetAccount(id), probeB);
        Assert.Equal([new AssetBalanceView("USDT", 10m, 0m)], (await probeB.ExpectMsgAsync<AccountBalances>()).Balances);

        answers.Add(await SendAsync(a, probeA, Command(id, "a-2", new Withdraw("USDT", 4m))));
        var stale = Command(id, "b-1", new Withdraw("USDT", 9m)); // B would allow it: it still sees 10
        b.Tell(stale, probeB);
        var refused = await probeB.ExpectMsgAsync<CommandUnavailable>();
        Assert.Contains("event_journal_uq", refused.Reason);
        answers.Add((stale, refused));
        await probeB.ExpectTerminatedAsync(b);
        answers.Add(await SendAsync(a, probeA, Command(id, "a-3", new Deposit("USDT", 1m))));

        await AssertAnswersMatchJournalAsync(id, answers);
        await AssertFreshIncarnationRecoversJournalAsync(id, answers);
    }

    private static async Task<(AccountCommandEnvelope, CommandReply)> SendAsync(IActorRef account, TestProbe probe, AccountCommandEnvelope command)
    {
        account.Tell(command, probe);
        return (command, await probe.ExpectMsgAsync<CommandReply>());
    }

    /// <summary>
    /// Every accepted answer is the journal's row at its number, with its balance after; every other answer has no
    /// row; and the journal holds nothing nobody was told was accepted.
    /// </summary>
    private async Task AssertAnswersMatchJournalAsync(string id, List<(AccountCommandEnvelope Command, CommandReply Reply)> answers)
    {
        var rows = await Journal.RowsAsync(AccountPid(id));
        Assert.Equal(Enumerable.Range(1, rows.Count).Select(n => (long)n), rows.Select(r => r.SeqNr));
        foreach (var (command, reply) in answers)
        {
            switch (reply)
            {
                case AccountCommandAccepted accepted:
                    var row = Assert.Single(rows, r => r.SeqNr == accepted.SeqNr);
                    Assert.Equal(command.RequestId, row.Text("requestId"));
                    Assert.Equal(command.Hash.ToString(), row.Text("hash"));
                    Assert.Equal(accepted.Available, decimal.Parse(row.Text("available")));
                    Assert.Equal(accepted.Frozen, decimal.Parse(row.Text("frozen")));
                    break;
                case CommandUnavailable:
                    Assert.DoesNotContain(rows, r => r.Text("requestId") == command.RequestId);
                    break;
                default:
                    Assert.Fail($"{command.RequestId}: unexpected answer {reply}");
                    break;
            }
        }
        Assert.Equal(answers.Where(x => x.Reply is AccountCommandAccepted).Select(x => x.Command.RequestId).Order(StringComparer.Ordinal),
            rows.Select(r => r.Text("requestId")).Order(StringComparer.Ordinal));
    }

    /// <summary>A new incarnation holds exactly the journal's balances and answers the accepted ids as they were answered.</summary>
    private async Task AssertFreshIncarnationRecoversJournalAsync(string id, List<(AccountCommandEnvelope Command, CommandReply Reply)> answers)
    {
        var rows = await Journal.RowsAsync(AccountPid(id));
        var replayed = rows.Aggregate(AccountState.Empty(id), (state, row) => Account.Evolve(state, Event(row)));
        var fresh = StartAccount(id);
        Assert.Equal(Flat(AccountBalances.Of(replayed)), Flat(await BalancesAsync(fresh, id)));
        Assert.Equal(decimal.Parse(rows[^1].Text("available")), replayed.BalanceOf("USDT").Available);
        foreach (var (command, reply) in answers.Where(x => x.Reply is AccountCommandAccepted))
        {
            Assert.Equal(reply, await SendAsync(fresh, command));
        }
    }

    private static AccountEvent Event(JournalRow row)
    {
        var amount = decimal.Parse(row.Text("amount"));
        return row.Manifest switch
        {
            "account.deposited.v1" => new Deposited(row.Text("asset"), amount),
            "account.withdrawn.v1" => new Withdrawn(row.Text("asset"), amount),
            _ => throw new InvalidOperationException($"unexpected {row.Manifest}"),
        };
    }
}
