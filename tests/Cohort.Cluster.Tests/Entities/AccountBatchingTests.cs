using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Tests.Support;
using Cohort.Domain.Accounts;
using Xunit.Abstractions;

namespace Cohort.Cluster.Tests.Entities;

/// <summary>A hot account writes the commands that pile up behind a write in flight as one batch.</summary>
public sealed class AccountBatchingTests(JournalDatabase journal, ITestOutputHelper output) : ActorSpec(journal, output)
{
    private const int Deposits = 2_000;

    [Fact]
    public async Task Commands_fired_at_one_account_are_written_in_few_batches_and_each_answered_once()
    {
        var id = NewId("hot");
        var account = StartAccount(id);
        await BalancesAsync(account, id);
        using var meter = new MeterReader(Metrics);

        for (var i = 0; i < Deposits; i++)
        {
            account.Tell(Command(id, $"d-{i}", new Deposit("USDT", 0.01m)), TestActor);
        }
        var answers = new List<AccountCommandAccepted>();
        await foreach (var answer in ReceiveNAsync(Deposits, TimeSpan.FromSeconds(60)))
        {
            answers.Add(Assert.IsType<AccountCommandAccepted>(answer));
        }

        // Every command answered once, and the sequence numbers are exactly 1..N: no gap, no number given twice.
        Assert.Equal(Enumerable.Range(0, Deposits).Select(i => $"d-{i}").Order(StringComparer.Ordinal),
            answers.Select(a => a.RequestId).Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(1, Deposits).Select(n => (long)n), answers.Select(a => a.SeqNr).Order());
        // One sender's commands are decided in the order sent, and each answer states the balance right after its own
        // record: d-i is record i+1, which leaves i+1 cents.
        Assert.All(answers, a =>
        {
            Assert.Equal(int.Parse(a.RequestId[2..]) + 1, a.SeqNr);
            Assert.Equal(a.SeqNr * 0.01m, a.Available);
        });
        Assert.Equal([("USDT", 20.00m, 0m)], Flat(await BalancesAsync(account, id)));

        var rows = await Journal.RowsAsync(AccountPid(id));
        Assert.Equal(Deposits, rows.Count);
        Assert.Equal("20.00", rows[^1].Text("available"));

        Assert.Equal(Deposits, meter.Total("cohort_journal_records"));
        var writes = meter.Total("cohort_journal_writes");
        Assert.InRange(writes, 2, Deposits / 20);
        Output?.WriteLine($"{Deposits} deposits in {writes} journal writes");
    }
}
