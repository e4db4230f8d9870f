using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Tests.Support;
using Cohort.Domain.Accounts;
using Xunit.Abstractions;

namespace Cohort.Cluster.Tests.Entities;

/// <summary>
/// A request id is answered its first answer, by the incarnation that answered it and by every later one, whether
/// it recovers from the journal alone or from a snapshot and the records after it, until the retention passes.
/// </summary>
public sealed class AccountRecoveryTests(JournalDatabase journal, ITestOutputHelper output) : ActorSpec(journal, output)
{
    [Fact]
    public async Task A_repeated_request_id_is_answered_its_first_answer_before_and_after_a_restart()
    {
        var id = NewId("acc");
        var account = StartAccount(id);
        var commands = new[]
        {
            Command(id, "r-1", new Deposit("USDT", 10m)),
            Command(id, "r-2", new Deposit("USDT", 5m)),
            Command(id, "r-3", new Withdraw("USDT", 100m)),
            Command(id, "r-4", new Freeze("USDT", 3m)),
        };
        var first = new List<CommandReply>();
        foreach (var command in commands)
        {
            first.Add(await SendAsync(account, command));
        }
        Assert.IsType<CommandRejected>(first[2]);
        Assert.Equal(4, ((AccountCommandAccepted)first[3]).SeqNr); // the refusal took number 3

        // Sent again, later: the balances moved on, the answers do not, and nothing is written.
        foreach (var (command, answer) in commands.Zip(first))
        {
            Assert.Equal(answer, await SendAsync(account, command));
        }
        Assert.Equal(4, (await Journal.RowsAsync(AccountPid(id))).Count);
        var balances = Flat(await BalancesAsync(account, id));

        await StopAsync(account);
        var again = StartAccount(id);
        foreach (var (command, answer) in commands.Zip(first))
        {
            Assert.Equal(answer, await SendAsync(again, command));
        }
        Assert.Equal(balances, Flat(await BalancesAsync(again, id)));
        Assert.Equal([("USDT", 12m, 3m)], balances);
        Assert.Equal(4, (await Journal.RowsAsync(AccountPid(id))).Count);
    }

    [Fact]
    public async Task A_snapshot_keeps_the_state_and_the_first_answers()
    {
        var id = NewId("acc");
        var options = new EntityOptions { SnapshotEvery = 5 };
        var account = StartAccount(id, options);
        var commands = Mixed(id, 12);
        var first = new List<CommandReply>();
        foreach (var command in commands)
        {
            first.Add(await SendAsync(account, command));
        }
        Assert.Contains(first, a => a is CommandRejected);

        // Records since the last snapshot must reach max(SnapshotEvery, ids that snapshot held): with one id per record,
        // snapshots at 5 and 10 (12 commands, one write each).
        await AwaitAssertAsync(async () => Assert.Equal(10, (await Journal.SnapshotsAsync(AccountPid(id))).Last().SeqNr));
        var balances = Flat(await BalancesAsync(account, id));
        await StopAsync(account);
        // A later snapshot deletes the earlier ones: the latest is the one recovery loads.
        var snapshot = (await Journal.SnapshotsAsync(AccountPid(id))).Last();
        Assert.Equal("account.snapshot.v1", snapshot.Manifest);
        Assert.Equal(snapshot.SeqNr, snapshot.Payload.GetProperty("requests").GetArrayLength()); // one request id per record
        Assert.InRange(snapshot.SeqNr, 5, commands.Length);

        using var meter = new MeterReader(Metrics);
        var again = StartAccount(id, options);
        Assert.Equal(balances, Flat(await BalancesAsync(again, id)));
        // Recovered from the snapshot: only the records after it were replayed.
        Assert.Equal(commands.Length - snapshot.SeqNr, meter.Total("cohort_records_replayed"));
        foreach (var (command, answer) in commands.Zip(first))
        {
            Assert.Equal(answer, await SendAsync(again, command));
        }
        Assert.Equal(commands.Length, (await Journal.RowsAsync(AccountPid(id))).Count);
    }

    [Fact]
    public async Task Recovery_from_a_snapshot_and_the_records_after_it_equals_a_full_replay()
    {
        var id = NewId("acc");
        var options = new EntityOptions { SnapshotEvery = 5 };
        var account = StartAccount(id, options);
        var commands = Mixed(id, 17);
        foreach (var command in commands)
        {
            await SendAsync(account, command);
        }
        await AwaitAssertAsync(async () => Assert.NotEmpty(await Journal.SnapshotsAsync(AccountPid(id))));
        await StopAsync(account);

        var fromSnapshot = await RecoverAsync(id, options, commands);
        Assert.True(fromSnapshot.Replayed < commands.Length, "the first recovery must use the snapshot");

        // The store deletes older snapshots after a newer one is saved, maybe after the actor stopped: count none left.
        await Journal.DeleteSnapshotsAsync(AccountPid(id));
        Assert.Empty(await Journal.SnapshotsAsync(AccountPid(id)));
        var fromJournal = await RecoverAsync(id, options, commands);
        Assert.Equal(commands.Length, fromJournal.Replayed);

        Assert.Equal(fromJournal.Balances, fromSnapshot.Balances);
        Assert.Equal(fromJournal.Answers, fromSnapshot.Answers);
        // And both equal the balances the journal's last record of each asset states.
        var lastByAsset = (await Journal.RowsAsync(AccountPid(id)))
            .Where(r => r.Manifest != "refused.v1")
            .GroupBy(r => r.Text("asset"))
            .Select(g => g.MaxBy(r => r.SeqNr)!)
            .Select(r => (r.Text("asset"), decimal.Parse(r.Text("available")), decimal.Parse(r.Text("frozen"))))
            .OrderBy(b => b.Item1, StringComparer.Ordinal)
            .ToList();
        Assert.Equal(lastByAsset, fromJournal.Balances);
    }

    [Fact]
    public async Task After_the_retention_a_request_id_is_forgotten_and_its_command_applies_again()
    {
        // The configured behaviour: RequestRetention bounds what an entity remembers. A client that sends a command
        // again after it must treat it as a new command (here: a second deposit).
        var id = NewId("acc");
        var options = new EntityOptions { RequestRetention = TimeSpan.FromSeconds(1) };
        var account = StartAccount(id, options);
        var deposit = Command(id, "r-1", new Deposit("USDT", 10m));
        var first = await AcceptedAsync(account, deposit);
        Assert.Equal(first, await SendAsync(account, deposit)); // remembered: only a snapshot or a recovery prunes

        await AwaitRetentionAsync(id, 1, options.RequestRetention);
        await StopAsync(account);
        var again = StartAccount(id, options); // recovery prunes what the retention no longer covers

        var second = await AcceptedAsync(again, deposit);
        Assert.Equal(new AccountCommandAccepted("r-1", id, 2, "USDT", 20m, 0m), second);
        Assert.Equal(2, (await Journal.RowsAsync(AccountPid(id))).Count(r => r.Text("requestId") == "r-1"));
    }

    [Fact]
    public async Task A_snapshot_drops_request_ids_older_than_the_retention()
    {
        var id = NewId("acc");
        var options = new EntityOptions { RequestRetention = TimeSpan.FromSeconds(1), SnapshotEvery = 2 };
        var account = StartAccount(id, options);
        var old = Command(id, "old", new Deposit("USDT", 10m));
        await AcceptedAsync(account, old);
        await AwaitRetentionAsync(id, 1, options.RequestRetention);

        // The second record reaches SnapshotEvery: the snapshot prunes first, and keeps "new" only.
        var recent = Command(id, "new", new Deposit("USDT", 1m));
        var recentAnswer = await AcceptedAsync(account, recent);
        await AwaitAssertAsync(async () => Assert.Contains(await Journal.SnapshotsAsync(AccountPid(id)), s => s.SeqNr == 2));
        var snapshot = (await Journal.SnapshotsAsync(AccountPid(id))).Single(s => s.SeqNr == 2);
        Assert.Equal(["new"], snapshot.Payload.GetProperty("requests").EnumerateArray().Select(r => r.GetProperty("requestId").GetString()));

        // The running entity forgot it too, without a restart.
        var replayedOld = await AcceptedAsync(account, old);
        Assert.Equal(new AccountCommandAccepted("old", id, 3, "USDT", 21m, 0m), replayedOld);

        // Recovered from that snapshot and the record after it. (Which ids it still remembers depends on how long
        // ago they were answered: recovery prunes with the 1 s retention too, so they are not asked again here.)
        await StopAsync(account);
        var again = StartAccount(id, options);
        Assert.Equal([("USDT", 21m, 0m)], Flat(await BalancesAsync(again, id)));
        Assert.Equal(["old", "new", "old"], (await Journal.RowsAsync(AccountPid(id))).Select(r => r.Text("requestId")));
        Assert.Equal(("new", 2L, 11m), (recentAnswer.RequestId, recentAnswer.SeqNr, recentAnswer.Available));
    }

    /// <summary>Starts an incarnation, reads its balances and the answers to every command, and stops it.</summary>
    private async Task<(List<(string, decimal, decimal)> Balances, List<CommandReply> Answers, long Replayed)> RecoverAsync(
        string id, EntityOptions options, AccountCommandEnvelope[] commands)
    {
        using var meter = new MeterReader(Metrics);
        var account = StartAccount(id, options);
        var balances = Flat(await BalancesAsync(account, id));
        var replayed = meter.Total("cohort_records_replayed");
        var answers = new List<CommandReply>();
        foreach (var command in commands)
        {
            answers.Add(await SendAsync(account, command));
        }
        await StopAsync(account);
        return (balances, answers, replayed);
    }

    /// <summary>Waits until the record at <paramref name="seqNr"/> is older than the retention, by its own stamp.</summary>
    private async Task AwaitRetentionAsync(string id, long seqNr, TimeSpan retention)
    {
        var row = await Journal.RowAsync(AccountPid(id), seqNr);
        var at = DateTime.Parse(row!.Text("at"), null, System.Globalization.DateTimeStyles.AdjustToUniversal);
        await AwaitConditionAsync(() => Task.FromResult(DateTime.UtcNow > at + retention + TimeSpan.FromMilliseconds(50)),
            retention + TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(50));
    }

    /// <summary>Commands on two assets, every kind, some refused: each one writes one record.</summary>
    private static AccountCommandEnvelope[] Mixed(string id, int count) =>
        Enumerable.Range(0, count).Select(i => Command(id, $"r-{i}", (i % 6) switch
        {
            0 => new Deposit(i % 4 == 0 ? "USDT" : "BTC", 100m + i),
            1 => new Freeze("USDT", 7.5m),
            2 => new Withdraw("BTC", 1000m), // refused: insufficient_funds
            3 => new Unfreeze("USDT", 2.25m),
            4 => new Settle("USDT", 1m),
            _ => new Withdraw("USDT", 0.000000000000000001m),
        })).ToArray();
}
