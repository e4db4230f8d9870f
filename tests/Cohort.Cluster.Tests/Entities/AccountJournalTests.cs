using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Persistence;
using Cohort.Cluster.Tests.Support;
using Cohort.Domain;
using Cohort.Domain.Accounts;
using Xunit.Abstractions;

namespace Cohort.Cluster.Tests.Entities;

/// <summary>An account answers only what its journal already holds, refusals included.</summary>
public sealed class AccountJournalTests(JournalDatabase journal, ITestOutputHelper output) : ActorSpec(journal, output)
{
    [Fact]
    public async Task An_answer_waits_for_its_record_to_be_written()
    {
        var id = NewId("acc");
        var account = StartAccount(id);
        await BalancesAsync(account, id); // recovered: the only write left is the command's

        var deposit = Command(id, "r-1", new Deposit("USDT", 10.50m));
        await using (await Journal.BlockJournalWritesAsync())
        {
            account.Tell(deposit, TestActor);
            // The write is held by the lock: an answer now would announce a record that is not in the journal.
            await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(700));
            Assert.Empty(await Journal.RowsAsync(AccountPid(id)));
        }

        var accepted = await ExpectMsgAsync<AccountCommandAccepted>();
        Assert.Equal(new AccountCommandAccepted("r-1", id, 1, "USDT", 10.50m, 0m), accepted);
        var row = await Journal.RowAsync(AccountPid(id), 1);
        Assert.NotNull(row);
        Assert.Equal("account.deposited.v1", row.Manifest);
        Assert.Equal(CohortSerializer.Id, row.Serializer);
        Assert.Equal("r-1", row.Text("requestId"));
        Assert.Equal(deposit.Hash.ToString(), row.Text("hash"));
        Assert.Equal("10.50", row.Text("amount"));
        Assert.Equal("10.50", row.Text("available"));
    }

    [Fact]
    public async Task Every_accepted_command_is_in_the_journal_when_it_is_answered()
    {
        var id = NewId("acc");
        var account = StartAccount(id);
        (AccountCommand Command, string Manifest, string Available, string Frozen)[] steps =
        [
            (new Deposit("USDT", 100m), "account.deposited.v1", "100", "0"),
            (new Freeze("USDT", 40.25m), "account.frozen.v1", "59.75", "40.25"),
            (new Unfreeze("USDT", 0.25m), "account.unfrozen.v1", "60.00", "40.00"),
            (new Settle("USDT", 15m), "account.settled.v1", "60.00", "25.00"),
            (new Withdraw("USDT", 60m), "account.withdrawn.v1", "0.00", "25.00"),
            (new Deposit("BTC", 0.000000000000000001m), "account.deposited.v1", "0.000000000000000001", "0"),
        ];

        for (var i = 0; i < steps.Length; i++)
        {
            var (command, manifest, available, frozen) = steps[i];
            var accepted = await AcceptedAsync(account, Command(id, $"r-{i}", command));

            // Read right when the answer arrived: the row must already be there, with what the answer says.
            var row = await Journal.RowAsync(AccountPid(id), accepted.SeqNr);
            Assert.NotNull(row);
            Assert.Equal(i + 1, accepted.SeqNr);
            Assert.Equal(manifest, row.Manifest);
            Assert.Equal($"r-{i}", row.Text("requestId"));
            Assert.Equal(command.Asset, row.Text("asset"));
            Assert.Equal(Amount.Format(command.Amount), row.Text("amount"));
            Assert.Equal(available, row.Text("available"));
            Assert.Equal(frozen, row.Text("frozen"));
            Assert.Equal(decimal.Parse(available), accepted.Available);
            Assert.Equal(decimal.Parse(frozen), accepted.Frozen);
        }
        Assert.Equal(steps.Length, (await Journal.RowsAsync(AccountPid(id))).Count);
    }

    [Fact]
    public async Task Every_rejection_is_answered_and_journaled_as_refused()
    {
        var id = NewId("acc");
        var account = StartAccount(id);
        var deposit = Command(id, "fund", new Deposit("USDT", 5m));
        var funded = await AcceptedAsync(account, deposit);

        (string RequestId, AccountCommand Command, string Code)[] refusals =
        [
            ("withdraw-too-much", new Withdraw("USDT", 10m), RejectionCodes.InsufficientFunds),
            ("freeze-too-much", new Freeze("USDT", 5.01m), RejectionCodes.InsufficientFunds),
            ("unfreeze-nothing", new Unfreeze("USDT", 1m), RejectionCodes.InsufficientFrozen),
            ("settle-nothing", new Settle("USDT", 1m), RejectionCodes.InsufficientFrozen),
            ("over-the-limit", new Deposit("USDT", Amount.MaxBalance), RejectionCodes.BalanceLimitExceeded),
            ("bad-asset", new Deposit("usdt", 1m), RejectionCodes.ValidationFailed),
            ("zero", new Deposit("USDT", 0m), RejectionCodes.ValidationFailed),
            ("too-precise", new Withdraw("USDT", 0.0000000000000000001m), RejectionCodes.ValidationFailed),
        ];
        foreach (var (requestId, command, code) in refusals)
        {
            var rejected = await RejectedAsync(account, Command(id, requestId, command), code);

            var row = (await Journal.RowsAsync(AccountPid(id))).SingleOrDefault(r => r.Text("requestId") == requestId);
            Assert.NotNull(row);
            Assert.Equal("refused.v1", row.Manifest);
            Assert.Equal(code, row.Text("code"));
            Assert.Equal(rejected.Message, row.Text("message"));
        }

        // A different command under a used id: refused by the request log, and NOT journaled. A refused.v1 row under
        // that id would replace the id's first answer in the log rebuilt on recovery.
        var rowsBefore = await Journal.RowsAsync(AccountPid(id));
        await RejectedAsync(account, Command(id, "fund", new Deposit("USDT", 6m)), RejectionCodes.IdempotencyConflict);
        await RejectedAsync(account, Command(id, "withdraw-too-much", new Withdraw("USDT", 11m)), RejectionCodes.IdempotencyConflict);
        Assert.Equal(rowsBefore.Count, (await Journal.RowsAsync(AccountPid(id))).Count);
        Assert.Equal(funded, await SendAsync(account, deposit));

        Assert.Equal([("USDT", 5m, 0m)], Flat(await BalancesAsync(account, id)));
        Assert.Equal(1 + refusals.Length, rowsBefore.Count);
    }

    [Fact]
    public async Task A_conflicting_command_is_refused_while_the_first_one_is_still_being_written()
    {
        var id = NewId("acc");
        var account = StartAccount(id);
        await BalancesAsync(account, id);

        await using (await Journal.BlockJournalWritesAsync())
        {
            account.Tell(Command(id, "r-1", new Deposit("USDT", 1m)), TestActor);
            account.Tell(Command(id, "r-1", new Deposit("USDT", 2m)), TestActor);
            var conflict = await ExpectMsgAsync<CommandRejected>();
            Assert.Equal(RejectionCodes.IdempotencyConflict, conflict.Code);
        }

        var accepted = await ExpectMsgAsync<AccountCommandAccepted>();
        Assert.Equal(1m, accepted.Available);
        var rows = await Journal.RowsAsync(AccountPid(id));
        Assert.Equal(["account.deposited.v1"], rows.Select(r => r.Manifest));
    }

    [Fact]
    public async Task The_same_command_sent_twice_while_it_is_being_written_is_written_once_and_answered_twice()
    {
        var id = NewId("acc");
        var account = StartAccount(id);
        await BalancesAsync(account, id);
        var deposit = Command(id, "r-1", new Deposit("USDT", 1m));

        await using (await Journal.BlockJournalWritesAsync())
        {
            account.Tell(deposit, TestActor);
            account.Tell(deposit, TestActor);
            await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        }

        var first = await ExpectMsgAsync<AccountCommandAccepted>();
        var second = await ExpectMsgAsync<AccountCommandAccepted>();
        Assert.Equal(first, second);
        Assert.Single(await Journal.RowsAsync(AccountPid(id)));
    }

    [Fact]
    public async Task StopEntity_stops_only_once_what_it_accepted_is_written_and_answered()
    {
        var id = NewId("acc");
        var account = StartAccount(id);
        await BalancesAsync(account, id);
        Watch(account);

        await using (await Journal.BlockJournalWritesAsync())
        {
            account.Tell(Command(id, "r-1", new Deposit("USDT", 1m)), TestActor);
            account.Tell(Command(id, "r-2", new Deposit("USDT", 2m)), TestActor);
            account.Tell(StopEntity.Instance, TestActor);
            // Neither answered nor stopped: a PoisonPill here would drop both commands unanswered.
            await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        }

        // Terminated is a system message and may overtake the answers: take the three in any order.
        var messages = new List<object>();
        await foreach (var message in ReceiveNAsync(3, TimeSpan.FromSeconds(15)))
        {
            messages.Add(message);
        }
        Assert.Equal([1L, 2L], messages.OfType<AccountCommandAccepted>().Select(a => a.SeqNr).Order());
        Assert.Single(messages.OfType<Akka.Actor.Terminated>());
        Assert.Equal(2, (await Journal.RowsAsync(AccountPid(id))).Count);
    }
}
