using System.Globalization;
using System.Text.Json;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Entities.Transfers;
using Cohort.Cluster.Kafka;
using Cohort.Cluster.Tests.Support;
using Cohort.Domain;
using Cohort.Domain.Accounts;
using Cohort.Domain.Transfers;
using Xunit.Abstractions;

namespace Cohort.Cluster.Tests.Persistence.Projections;

/// <summary>
/// The two projections of the journal, checked against the journal itself: the account events on Kafka, and the
/// reporting tables.
/// </summary>
[Collection(InProcessNodeCollection.Name)]
public sealed class ProjectionTests(ProjectionTests.Node fixture, ITestOutputHelper output) : IClassFixture<ProjectionTests.Node>
{
    internal static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    internal static readonly string[] Projections = ["reporting", "products", "account-events"];

    public sealed class Node() : InProcessNodeFixture("projections");

    /// <summary>One account event as it should appear on <c>cohort.events.account</c>.</summary>
    internal sealed record Expected(
        string Type, decimal Amount, decimal DeltaAvailable, decimal DeltaFrozen, decimal Available, decimal Frozen,
        string? TransferId = null, string? Counterparty = null);

    [Fact]
    public async Task Every_account_event_reaches_kafka_in_journal_order_and_the_reporting_tables_match()
    {
        output.WriteLine($"node log: {fixture.Node.LogPath}");
        var node = fixture.Node;
        var run = NodeIds.Run();
        var (a, b, transfer) = ($"proj-{run}-a", $"proj-{run}-b", $"proj-{run}-t");
        var asset = NodeIds.Asset("P");

        Assert.IsType<AccountCommandAccepted>(await node.AccountAsync(a, "d-1", new Deposit(asset, 100.50m)));
        Assert.IsType<AccountCommandAccepted>(await node.AccountAsync(b, "d-2", new Deposit(asset, 10m)));
        Assert.IsType<AccountCommandAccepted>(await node.AccountAsync(a, "w-1", new Withdraw(asset, 30.25m)));
        // Refused: journaled, so it takes a sequence number, but it is no event.
        Assert.Equal(RejectionCodes.InsufficientFunds,
            Assert.IsType<CommandRejected>(await node.AccountAsync(a, "w-2", new Withdraw(asset, 1000m))).Code);
        Assert.IsType<AccountCommandAccepted>(await node.AccountAsync(a, "f-1", new Freeze(asset, 20m)));
        Assert.IsType<AccountCommandAccepted>(await node.AccountAsync(a, "u-1", new Unfreeze(asset, 5m)));
        Assert.IsType<AccountCommandAccepted>(await node.AccountAsync(a, "s-1", new Settle(asset, 5m)));
        var outcome = Assert.IsType<TransferAnswer>(await node.TransferAsync(transfer, new TransferTerms(a, b, asset, 25m)));
        Assert.Equal(TransferAnswer.Completed, outcome.Status);

        await fixture.Database.WaitForProjectionsAsync(Timeout, Projections);

        await AssertPublishedAsync(a,
        [
            new("deposited", 100.50m, 100.50m, 0m, 100.50m, 0m),
            new("withdrawn", 30.25m, -30.25m, 0m, 70.25m, 0m),
            new("frozen", 20m, -20m, 20m, 50.25m, 20m),
            new("unfrozen", 5m, 5m, -5m, 55.25m, 15m),
            new("settled", 5m, 0m, -5m, 55.25m, 10m),
            new("transferDebited", 25m, -25m, 0m, 30.25m, 10m, transfer, b),
        ]);
        await AssertPublishedAsync(b,
        [
            new("deposited", 10m, 10m, 0m, 10m, 0m),
            new("transferCredited", 25m, 25m, 0m, 35m, 0m, transfer, a),
        ]);
        var aJournal = await fixture.Database.JournalAsync([PersistenceIds.Of(AccountRegion.TypeName, a)]);
        Assert.Equal(3, aJournal.Single(r => r.Manifest == "refused.v1").SeqNr);

        var balances = await fixture.Database.RowsAsync(
            "SELECT account_id, available, frozen, seq_nr FROM balances WHERE asset = $1 ORDER BY account_id", asset);
        Assert.Equal(
            [(a, 30.25m, 10m, 7L), (b, 35m, 0m, 2L)],
            balances.Select(r => ((string)r["account_id"]!, (decimal)r["available"]!, (decimal)r["frozen"]!, (long)r["seq_nr"]!)));
        // In: 100.50 + 10; out: 30.25 withdrawn, 5 settled. The transfer moved 25 between two balances and is not in flight.
        await AssertFlowsAsync(asset, expected: 75.25m, inFlight: 0m, held: 75.25m);
        await AssertTransferAsync(transfer, (a, b, asset, 25m), TransferAnswer.Completed, reason: null);
        await AssertLegsAsync(transfer, asset, (25m, 25m, 0m), (1, 1, 0));
    }

    [Fact]
    public async Task Rejected_transfers_are_reported_with_their_refund_or_without_legs()
    {
        output.WriteLine($"node log: {fixture.Node.LogPath}");
        var node = fixture.Node;
        var run = NodeIds.Run();
        var (sender, full, refunded, refused) = ($"rej-{run}-from", $"rej-{run}-full", $"rej-{run}-t1", $"rej-{run}-t2");
        var asset = NodeIds.Asset("R");

        Assert.IsType<AccountCommandAccepted>(await node.AccountAsync(sender, "d-1", new Deposit(asset, 50m)));
        // The receiver holds the largest balance there is: any credit to it is refused, and the debit is refunded.
        var top = Amount.MaxBalance - 9 * 1_000_000_000m;
        for (var i = 0; i < 9; i++)
        {
            Assert.IsType<AccountCommandAccepted>(await node.AccountAsync(full, $"d-{i}", new Deposit(asset, 1_000_000_000m)));
        }
        Assert.IsType<AccountCommandAccepted>(await node.AccountAsync(full, "d-top", new Deposit(asset, top)));

        var first = Assert.IsType<TransferAnswer>(await node.TransferAsync(refunded, new TransferTerms(sender, full, asset, 1m)));
        Assert.Equal((TransferAnswer.Rejected, RejectionCodes.BalanceLimitExceeded), (first.Status, first.Reason));
        var second = Assert.IsType<TransferAnswer>(await node.TransferAsync(refused, new TransferTerms(sender, full, asset, 1000m)));
        Assert.Equal((TransferAnswer.Rejected, RejectionCodes.InsufficientFunds), (second.Status, second.Reason));

        await fixture.Database.WaitForProjectionsAsync(Timeout, Projections);

        await AssertPublishedAsync(sender,
        [
            new("deposited", 50m, 50m, 0m, 50m, 0m),
            new("transferDebited", 1m, -1m, 0m, 49m, 0m, refunded, full),
            new("transferRefunded", 1m, 1m, 0m, 50m, 0m, refunded, full),
        ]);
        await AssertTransferAsync(refunded, (sender, full, asset, 1m), TransferAnswer.Rejected, RejectionCodes.BalanceLimitExceeded);
        await AssertLegsAsync(refunded, asset, (1m, 0m, 1m), (1, 0, 1));
        await AssertTransferAsync(refused, (sender, full, asset, 1000m), TransferAnswer.Rejected, RejectionCodes.InsufficientFunds);
        Assert.Empty(await fixture.Database.RowsAsync("SELECT * FROM transfer_legs WHERE transfer_id = $1", refused));
        await AssertFlowsAsync(asset, expected: 50m + Amount.MaxBalance, inFlight: 0m, held: 50m + Amount.MaxBalance);
    }

    /// <summary>
    /// The account's events on <c>cohort.events.account</c> are exactly its event records of the journal, in their
    /// order, with the journal's sequence numbers (skipping the refusals'), and say what <paramref name="expected"/> says.
    /// </summary>
    private async Task AssertPublishedAsync(string account, IReadOnlyList<Expected> expected)
    {
        var published = fixture.Kafka.ReadToEnd(CohortTopics.Events(AccountRegion.TypeName))
            .Where(m => m.Message.Key == account)
            .Select(m => JsonDocument.Parse(m.Message.Value).RootElement)
            .ToList();
        var records = (await fixture.Database.JournalAsync([PersistenceIds.Of(AccountRegion.TypeName, account)]))
            .Where(r => r.Manifest.StartsWith("account.", StringComparison.Ordinal))
            .ToList();

        Assert.Equal(expected.Count, records.Count);
        Assert.Equal(records.Select(r => r.SeqNr), published.Select(e => e.GetProperty("seqNr").GetInt64()));
        for (var i = 0; i < expected.Count; i++)
        {
            var (e, record, want) = (published[i], records[i], expected[i]);
            Assert.Equal(account, e.GetProperty("accountId").GetString());
            Assert.Equal(want.Type, e.GetProperty("type").GetString());
            Assert.Equal(AccountFormats.RecordManifest(want.Type), record.Manifest);
            Assert.Equal(record.Payload.GetProperty("requestId").GetString(), e.GetProperty("requestId").GetString());
            Assert.Equal(record.Payload.GetProperty("at").GetDateTime(), e.GetProperty("at").GetDateTime());
            Assert.Equal(record.Payload.GetProperty("asset").GetString(), e.GetProperty("asset").GetString());
            Assert.Equal(
                (want.Amount, want.DeltaAvailable, want.DeltaFrozen, want.Available, want.Frozen),
                (Number(e, "amount"), Number(e, "deltaAvailable"), Number(e, "deltaFrozen"), Number(e, "available"), Number(e, "frozen")));
            Assert.Equal(want.TransferId, e.TryGetProperty("transferId", out var t) ? t.GetString() : null);
            Assert.Equal(want.Counterparty, e.TryGetProperty("counterparty", out var c) ? c.GetString() : null);
        }
    }

    private async Task AssertFlowsAsync(string asset, decimal expected, decimal inFlight, decimal held)
    {
        var flow = Assert.Single(await fixture.Database.RowsAsync("SELECT expected, in_flight, held FROM asset_flows WHERE asset = $1", asset));
        Assert.Equal((expected, inFlight, held), ((decimal)flow["expected"]!, (decimal)flow["in_flight"]!, (decimal)flow["held"]!));
    }

    private async Task AssertTransferAsync(string transferId, (string From, string To, string Asset, decimal Amount) terms, string status, string? reason)
    {
        var row = Assert.Single(await fixture.Database.RowsAsync(
            "SELECT from_account, to_account, asset, amount, status, reason, seq_nr FROM transfer_status WHERE transfer_id = $1", transferId));
        Assert.Equal(terms, ((string)row["from_account"]!, (string)row["to_account"]!, (string)row["asset"]!, (decimal)row["amount"]!));
        Assert.Equal((status, reason), ((string)row["status"]!, (string?)row["reason"]));
        var journal = await fixture.Database.JournalAsync([PersistenceIds.Of(TransferRegion.TypeName, transferId)]);
        Assert.Equal(journal.Where(r => r.Manifest.StartsWith("transfer.", StringComparison.Ordinal)).Max(r => r.SeqNr), (long)row["seq_nr"]!);
    }

    private async Task AssertLegsAsync(string transferId, string asset, (decimal Debited, decimal Credited, decimal Refunded) amounts, (int Debits, int Credits, int Refunds) counts)
    {
        var legs = Assert.Single(await fixture.Database.RowsAsync(
            "SELECT asset, debited, credited, refunded, debits, credits, refunds FROM transfer_legs WHERE transfer_id = $1", transferId));
        Assert.Equal(asset, legs["asset"]);
        Assert.Equal(amounts, ((decimal)legs["debited"]!, (decimal)legs["credited"]!, (decimal)legs["refunded"]!));
        Assert.Equal(counts, ((int)legs["debits"]!, (int)legs["credits"]!, (int)legs["refunds"]!));
    }

    private static decimal Number(JsonElement e, string name) =>
        decimal.Parse(e.GetProperty(name).GetString()!, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
}
