using Akka.Actor;
using Akka.TestKit;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Entities.Transfers;
using Cohort.Cluster.Tests.Support;
using Cohort.Domain;
using Cohort.Domain.Accounts;
using Cohort.Domain.Transfers;
using Xunit.Abstractions;

namespace Cohort.Cluster.Tests.Entities;

/// <summary>
/// The transfer process against real accounts: money moves once whatever is lost on the way, and a transfer that
/// cannot complete gives everything back.
/// </summary>
public sealed class TransferActorTests(JournalDatabase journal, ITestOutputHelper output) : ActorSpec(journal, output)
{
    private static readonly TimeSpan QuickRetry = TimeSpan.FromMilliseconds(200);

    /// <summary>Long enough that no step is sent again within a test unless a restart sends it.</summary>
    private static readonly TimeSpan NoRetry = TimeSpan.FromHours(1);

    [Fact]
    public async Task A_completed_transfer_debits_and_credits_once()
    {
        var (alice, bob, t) = (NewId("alice"), NewId("bob"), NewId("t"));
        var accounts = StartAccounts(CreateTestProbe());
        await FundAsync(accounts, alice, 100m);

        var transfer = StartTransfer(t, accounts, QuickRetry);
        var start = TransferCommandParser.Envelope(t, new TransferTerms(alice, bob, "USDT", 30m));
        var started = Assert.IsType<TransferAnswer>(await SendAsync(transfer, start));
        Assert.Equal(TransferAnswer.Pending, started.Status);
        Assert.Equal(["transfer.started.v1"], (await Journal.RowsAsync(TransferPid(t))).Take(1).Select(r => r.Manifest));

        var done = await AwaitTransferAsync(transfer, t);
        Assert.Equal(TransferAnswer.Completed, done.Status);
        Assert.Null(done.Reason);
        Assert.Equal(started, await SendAsync(transfer, start)); // the start's first answer, as for any request id

        Assert.Equal([("USDT", 70m, 0m)], Flat(await BalancesAsync(accounts, alice)));
        Assert.Equal([("USDT", 30m, 0m)], Flat(await BalancesAsync(accounts, bob)));
        var debit = Assert.Single(await Journal.RowsAsync(AccountPid(alice)), r => r.Manifest == "account.transferDebited.v1");
        Assert.Equal($"{t}:debit", debit.Text("requestId"));
        Assert.Equal(t, debit.Text("transferId"));
        Assert.Equal(bob, debit.Text("counterparty"));
        var credit = Assert.Single(await Journal.RowsAsync(AccountPid(bob)));
        Assert.Equal("account.transferCredited.v1", credit.Manifest);
        Assert.Equal($"{t}:credit", credit.Text("requestId"));
        Assert.Equal(alice, credit.Text("counterparty"));
        Assert.Equal(["transfer.started.v1", "transfer.debitConfirmed.v1", "transfer.completed.v1"],
            (await Journal.RowsAsync(TransferPid(t))).Select(r => r.Manifest));
    }

    [Fact]
    public async Task A_transfer_the_sender_cannot_pay_is_rejected_and_moves_nothing()
    {
        var (alice, bob, t) = (NewId("alice"), NewId("bob"), NewId("t"));
        var accounts = StartAccounts(CreateTestProbe());
        await FundAsync(accounts, alice, 10m);

        var transfer = StartTransfer(t, accounts, QuickRetry);
        await SendAsync(transfer, TransferCommandParser.Envelope(t, new TransferTerms(alice, bob, "USDT", 30m)));
        var done = await AwaitTransferAsync(transfer, t);

        Assert.Equal(TransferAnswer.Rejected, done.Status);
        Assert.Equal(RejectionCodes.InsufficientFunds, done.Reason);
        Assert.Equal([("USDT", 10m, 0m)], Flat(await BalancesAsync(accounts, alice)));
        Assert.Empty((await BalancesAsync(accounts, bob)).Balances);
        var refused = (await Journal.RowsAsync(AccountPid(alice)))[^1];
        Assert.Equal("refused.v1", refused.Manifest);
        Assert.Equal($"{t}:debit", refused.Text("requestId"));
        Assert.Empty(await Journal.RowsAsync(AccountPid(bob)));
        Assert.Equal(["transfer.started.v1", "transfer.rejected.v1"], (await Journal.RowsAsync(TransferPid(t))).Select(r => r.Manifest));
    }

    [Fact]
    public async Task A_credit_the_receiver_refuses_is_refunded_and_the_transfer_rejected()
    {
        var (alice, bob, t) = (NewId("alice"), NewId("bob"), NewId("t"));
        var accounts = StartAccounts(CreateTestProbe());
        await FundAsync(accounts, alice, 100m);
        await FundAsync(accounts, bob, Amount.MaxBalance);

        var transfer = StartTransfer(t, accounts, QuickRetry);
        await SendAsync(transfer, TransferCommandParser.Envelope(t, new TransferTerms(alice, bob, "USDT", 30m)));
        var done = await AwaitTransferAsync(transfer, t);

        Assert.Equal(TransferAnswer.Rejected, done.Status);
        Assert.Equal(RejectionCodes.BalanceLimitExceeded, done.Reason);
        Assert.Equal([("USDT", 100m, 0m)], Flat(await BalancesAsync(accounts, alice)));
        Assert.Equal([("USDT", Amount.MaxBalance, 0m)], Flat(await BalancesAsync(accounts, bob)));
        Assert.Equal(["account.deposited.v1", "account.transferDebited.v1", "account.transferRefunded.v1"],
            (await Journal.RowsAsync(AccountPid(alice))).Select(r => r.Manifest));
        var refused = (await Journal.RowsAsync(AccountPid(bob)))[^1];
        Assert.Equal(("refused.v1", $"{t}:credit", RejectionCodes.BalanceLimitExceeded), (refused.Manifest, refused.Text("requestId"), refused.Text("code")));
        Assert.Equal(["transfer.started.v1", "transfer.debitConfirmed.v1", "transfer.creditRefused.v1", "transfer.rejected.v1"],
            (await Journal.RowsAsync(TransferPid(t))).Select(r => r.Manifest));
    }

    [Fact]
    public async Task A_lost_step_is_sent_again_until_it_is_answered()
    {
        var (alice, bob, t) = (NewId("alice"), NewId("bob"), NewId("t"));
        var routes = CreateTestProbe();
        var accounts = StartAccounts(routes, (c, attempt) => c.RequestId == $"{t}:debit" && attempt == 1 ? Route.Drop : Route.Deliver);
        await FundAsync(accounts, alice, 100m);

        var transfer = StartTransfer(t, accounts, QuickRetry);
        await SendAsync(transfer, TransferCommandParser.Envelope(t, new TransferTerms(alice, bob, "USDT", 30m)));
        await ExpectRoutedAsync(routes, $"{t}:debit", 1, Route.Drop);
        await ExpectRoutedAsync(routes, $"{t}:debit", 2, Route.Deliver);

        Assert.Equal(TransferAnswer.Completed, (await AwaitTransferAsync(transfer, t)).Status);
        Assert.Equal([("USDT", 70m, 0m)], Flat(await BalancesAsync(accounts, alice)));
        Assert.Equal([("USDT", 30m, 0m)], Flat(await BalancesAsync(accounts, bob)));
        Assert.Single(await Journal.RowsAsync(AccountPid(alice)), r => r.Manifest == "account.transferDebited.v1");
    }

    [Fact]
    public async Task A_step_whose_answer_was_lost_is_answered_again_and_applied_once()
    {
        var (alice, bob, t) = (NewId("alice"), NewId("bob"), NewId("t"));
        var routes = CreateTestProbe();
        var accounts = StartAccounts(routes, (c, attempt) => c.RequestId == $"{t}:debit" && attempt == 1 ? Route.LoseAnswer : Route.Deliver);
        await FundAsync(accounts, alice, 100m);

        var transfer = StartTransfer(t, accounts, QuickRetry);
        await SendAsync(transfer, TransferCommandParser.Envelope(t, new TransferTerms(alice, bob, "USDT", 30m)));
        await ExpectRoutedAsync(routes, $"{t}:debit", 1, Route.LoseAnswer);
        var lost = (AccountCommandAccepted)await routes.FishForMessageAsync(m => m is AccountCommandAccepted a && a.RequestId == $"{t}:debit");
        await ExpectRoutedAsync(routes, $"{t}:debit", 2, Route.Deliver);

        Assert.Equal(TransferAnswer.Completed, (await AwaitTransferAsync(transfer, t)).Status);
        var debit = Assert.Single(await Journal.RowsAsync(AccountPid(alice)), r => r.Manifest == "account.transferDebited.v1");
        Assert.Equal(lost.SeqNr, debit.SeqNr);
        Assert.Equal([("USDT", 70m, 0m)], Flat(await BalancesAsync(accounts, alice)));
        Assert.Equal([("USDT", 30m, 0m)], Flat(await BalancesAsync(accounts, bob)));
    }

    [Fact]
    public async Task A_transfer_restarted_mid_way_resumes_from_its_journal_and_moves_the_money_once()
    {
        var (alice, bob, t) = (NewId("alice"), NewId("bob"), NewId("t"));
        var routes = CreateTestProbe();
        // The credit is applied but its answer lost, and the first incarnation never sends it again (NoRetry): only
        // the next incarnation's recovery can finish the transfer.
        var accounts = StartAccounts(routes, (c, attempt) => c.RequestId == $"{t}:credit" && attempt == 1 ? Route.LoseAnswer : Route.Deliver);
        await FundAsync(accounts, alice, 100m);

        var first = StartTransfer(t, accounts, NoRetry);
        await SendAsync(first, TransferCommandParser.Envelope(t, new TransferTerms(alice, bob, "USDT", 30m)));
        var credited = (AccountCommandAccepted)await routes.FishForMessageAsync(m => m is AccountCommandAccepted a && a.RequestId == $"{t}:credit");
        Assert.Equal(["transfer.started.v1", "transfer.debitConfirmed.v1"], (await Journal.RowsAsync(TransferPid(t))).Select(r => r.Manifest));
        await StopAsync(first);

        var second = StartTransfer(t, accounts, NoRetry);
        Assert.Equal(TransferAnswer.Completed, (await AwaitTransferAsync(second, t)).Status);
        await ExpectRoutedAsync(routes, $"{t}:credit", 2, Route.Deliver);

        Assert.Equal([("USDT", 70m, 0m)], Flat(await BalancesAsync(accounts, alice)));
        Assert.Equal([("USDT", 30m, 0m)], Flat(await BalancesAsync(accounts, bob)));
        var credit = Assert.Single(await Journal.RowsAsync(AccountPid(bob)));
        Assert.Equal((credited.SeqNr, "account.transferCredited.v1"), (credit.SeqNr, credit.Manifest));
        Assert.Single(await Journal.RowsAsync(AccountPid(alice)), r => r.Manifest == "account.transferDebited.v1");
        Assert.Equal(["transfer.started.v1", "transfer.debitConfirmed.v1", "transfer.completed.v1"],
            (await Journal.RowsAsync(TransferPid(t))).Select(r => r.Manifest));
    }

    private static string TransferPid(string transferId) => PersistenceIds.Of(TransferRegion.TypeName, transferId);

    private IActorRef StartAccounts(TestProbe observer, Func<AccountCommandEnvelope, int, Route>? route = null) =>
        Sys.ActorOf(ActorAccounts.PropsFor(new EntityOptions(), Metrics, observer, route));

    private IActorRef StartTransfer(string transferId, IActorRef accounts, TimeSpan stepRetry) =>
        Sys.ActorOf(TransferActor.PropsFor(transferId, accounts, new TransferOptions { StepRetry = stepRetry }, new EntityOptions(), Metrics));

    private async Task FundAsync(IActorRef accounts, string accountId, decimal amount) =>
        await AcceptedAsync(accounts, Command(accountId, NewId("fund"), new Deposit("USDT", amount)));

    private async Task<TransferAnswer> AwaitTransferAsync(IActorRef transfer, string transferId)
    {
        transfer.Tell(new AwaitTransfer(transferId), TestActor);
        return await ExpectMsgAsync<TransferAnswer>();
    }

    private static async Task ExpectRoutedAsync(TestProbe routes, string requestId, int attempt, Route route) =>
        await routes.FishForMessageAsync(m => m is Routed r && r.RequestId == requestId && r.Attempt == attempt && r.Route == route);
}
