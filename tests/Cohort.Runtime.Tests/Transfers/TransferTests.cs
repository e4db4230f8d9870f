using Cohort.Domain;
using Cohort.Runtime.Reconciliation;
using Cohort.Runtime.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Cohort.Runtime.Tests.Transfers;

[Collection(ClusterCollection.Name)]
public sealed class TransferTests : NodeTestBase
{
    [Fact]
    public async Task A_transfer_debits_and_credits_once_and_the_books_still_agree()
    {
        var node = await StartNodeAsync("node-a");
        await node.WaitForAllPartitionsAsync();
        await node.AskAsync("deposit", "alice", "d-1", "USDT", "100");

        var outcome = await node.TransferAsync(Db, "t-1", "alice", "bob", "USDT", "30.25");
        var replay = await node.TransferAsync(Db, "t-1", "alice", "bob", "USDT", "30.25");

        Assert.Equal(("completed", (string?)null), outcome);
        Assert.Equal(outcome, replay);
        Assert.Equal(69.75m, await Db.AvailableAsync("alice", "USDT"));
        Assert.Equal(30.25m, await Db.AvailableAsync("bob", "USDT"));
        Assert.Equal("transfer_out", await Db.ScalarAsync<string>("SELECT kind FROM ledger WHERE request_id = 't-1:debit'"));
        Assert.Equal("transfer_in", await Db.ScalarAsync<string>("SELECT kind FROM ledger WHERE request_id = 't-1:credit'"));
        Assert.Equal(2, await Db.ScalarAsync<long>("SELECT count(*) FROM journal WHERE entity_type = 'account' AND request_id LIKE 't-1:%'"));
        var report = await node.Services.GetRequiredService<ReconciliationService>().ReconcileAsync(ReconciliationScope.Full, CancellationToken.None);
        Assert.True(report.Consistent, string.Join("; ", report.Mismatches));
        Assert.Equal(100m, report.Assets.Single(a => a.Asset == "USDT").Expected);
    }

    [Fact]
    public async Task A_transfer_beyond_the_senders_funds_is_rejected_and_moves_nothing()
    {
        var node = await StartNodeAsync("node-a");
        await node.WaitForAllPartitionsAsync();
        await node.AskAsync("deposit", "carol", "d-1", "EUR", "5");

        var outcome = await node.TransferAsync(Db, "t-2", "carol", "dave", "EUR", "5.01");

        Assert.Equal(("rejected", RejectionCodes.InsufficientFunds), outcome);
        Assert.Equal(5m, await Db.AvailableAsync("carol", "EUR"));
        Assert.Null(await Db.AvailableAsync("dave", "EUR"));
        Assert.Equal(0, await Db.ScalarAsync<long>("SELECT count(*) FROM journal WHERE entity_type = 'account' AND request_id LIKE 't-2:%'"));
    }

    [Fact]
    public async Task A_credit_the_receiver_refuses_is_refunded_and_the_transfer_ends_rejected()
    {
        var node = await StartNodeAsync("node-a", new Dictionary<string, string?> { ["Cohort:Accounts:MaxAmount"] = "9999999999" });
        await node.WaitForAllPartitionsAsync();
        await node.AskAsync("deposit", "erin", "d-1", "BTC", "10");
        await node.AskAsync("deposit", "frank", "d-1", "BTC", Amount.Format(Amount.MaxBalance - 5m));

        var outcome = await node.TransferAsync(Db, "t-3", "erin", "frank", "BTC", "6");

        Assert.Equal(("rejected", RejectionCodes.BalanceLimitExceeded), outcome);
        Assert.Equal(10m, await Db.AvailableAsync("erin", "BTC"));
        Assert.Equal(Amount.MaxBalance - 5m, await Db.AvailableAsync("frank", "BTC"));
        Assert.Equal("transfer_refund", await Db.ScalarAsync<string>("SELECT kind FROM ledger WHERE request_id = 't-3:refund'"));
        var report = await node.Services.GetRequiredService<ReconciliationService>().ReconcileAsync(ReconciliationScope.Full, CancellationToken.None);
        Assert.True(report.Consistent, string.Join("; ", report.Mismatches));
    }
}
