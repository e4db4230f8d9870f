using System.Globalization;

namespace Cohort.Node.Tests.Support;

/// <summary>A deposit that funds an account before the transfers start.</summary>
internal sealed record PlannedDeposit(string AccountId, string RequestId, string Asset, decimal Amount)
{
    public string AmountText => Amount.ToString("0.00", CultureInfo.InvariantCulture);

    public PlannedRequest Request => new(
        $"/api/v1/accounts/{AccountId}/deposit", $$"""{"requestId":"{{RequestId}}","asset":"{{Asset}}","amount":"{{AmountText}}"}""");
}

/// <summary>One transfer the client will send, with its request id (the transfer's id) fixed in advance.</summary>
internal sealed record PlannedTransfer(int Index, string RequestId, string From, string To, string Asset, decimal Amount)
{
    public const string Path = "/api/v1/transfers";

    public string AmountText => Amount.ToString("0.00", CultureInfo.InvariantCulture);

    public PlannedRequest Request => new(
        Path, $$"""{"requestId":"{{RequestId}}","from":"{{From}}","to":"{{To}}","asset":"{{Asset}}","amount":"{{AmountText}}"}""");

    public override string ToString() => $"{RequestId} ({From} -> {To} {AmountText} {Asset})";
}

/// <summary>
/// The accounts of a run, how they are funded, and the transfers among them; seeded, so a run can be repeated.
/// Every account gets 100.00 USDT, every third one BTC too. Transfers go between random distinct accounts (a tenth of
/// them touch one of ten hot accounts), mostly in USDT; a tenth ask for more than a typical balance, and BTC transfers
/// sometimes come from accounts without BTC, so a good share is rejected with insufficient_funds. A few accounts are
/// funded to the balance limit and only ever receive: their credits are refused (balance_limit_exceeded), so those
/// transfers take the longest path, debit, refused credit, refund, and end rejected with nothing moved.
/// </summary>
internal sealed class TransferPlan
{
    public const string Usdt = "USDT";
    public const string Btc = "BTC";
    public const decimal UsdtPerAccount = 100.00m;
    private const int HotAccounts = 10;

    /// <summary>Accounts 10-14 hold 9,999,999,999.99 USDT: any further credit would pass the balance limit.</summary>
    private const int FirstFullAccount = 10;
    private const int FullAccountCount = 5;

    private TransferPlan(List<string> accounts, List<PlannedDeposit> deposits, List<PlannedTransfer> transfers)
    {
        Accounts = accounts;
        Deposits = deposits;
        Transfers = transfers;
    }

    public IReadOnlyList<string> Accounts { get; }

    public IReadOnlyList<PlannedDeposit> Deposits { get; }

    public IReadOnlyList<PlannedTransfer> Transfers { get; }

    /// <summary>The accounts funded to the balance limit in USDT, which only receive.</summary>
    public IReadOnlySet<string> FullAccounts => Accounts.Skip(FirstFullAccount).Take(FullAccountCount).ToHashSet(StringComparer.Ordinal);

    /// <summary>What the deposits add up to, per asset.</summary>
    public IReadOnlyDictionary<string, decimal> FundedTotals =>
        Deposits.GroupBy(d => d.Asset).ToDictionary(g => g.Key, g => g.Sum(d => d.Amount), StringComparer.Ordinal);

    public static TransferPlan Create(string runId, int accounts, int transfers, int seed)
    {
        var random = new Random(seed);
        var ids = Enumerable.Range(0, accounts).Select(i => $"acc-{runId}-{i:D4}").ToList();
        var deposits = new List<PlannedDeposit>();
        var btcHolders = new List<string>();
        for (var i = 0; i < ids.Count; i++)
        {
            if (i is >= FirstFullAccount and < FirstFullAccount + FullAccountCount)
            {
                // Up to the limit in deposits of at most MaxAmount (1,000,000,000) each.
                for (var k = 0; k < 9; k++)
                {
                    deposits.Add(new PlannedDeposit(ids[i], $"{runId}-fund-usdt-{i:D4}-{k}", Usdt, 1_000_000_000.00m));
                }
                deposits.Add(new PlannedDeposit(ids[i], $"{runId}-fund-usdt-{i:D4}-9", Usdt, 999_999_999.99m));
            }
            else
            {
                deposits.Add(new PlannedDeposit(ids[i], $"{runId}-fund-usdt-{i:D4}", Usdt, UsdtPerAccount));
            }
            if (i % 3 == 0)
            {
                deposits.Add(new PlannedDeposit(ids[i], $"{runId}-fund-btc-{i:D4}", Btc, random.Next(50, 501) / 100m));
                btcHolders.Add(ids[i]);
            }
        }

        string AnyAccount() => random.NextDouble() < 0.1 ? ids[random.Next(HotAccounts)] : ids[random.Next(ids.Count)];

        bool IsFull(string id) => ids.IndexOf(id) is >= FirstFullAccount and < FirstFullAccount + FullAccountCount;

        var planned = new List<PlannedTransfer>(transfers);
        for (var i = 0; i < transfers; i++)
        {
            var btc = random.NextDouble() < 0.2;
            var large = random.NextDouble() < 0.1;
            string from;
            do
            {
                from = btc && random.NextDouble() < 0.85 ? btcHolders[random.Next(btcHolders.Count)] : AnyAccount();
            }
            while (IsFull(from));
            string to;
            do
            {
                to = random.NextDouble() < 0.02 ? ids[FirstFullAccount + random.Next(FullAccountCount)] : AnyAccount();
            }
            while (to == from);
            var cents = btc
                ? (large ? random.Next(501, 1_001) : random.Next(1, 201))
                : (large ? random.Next(10_001, 30_001) : random.Next(1, 4_001));
            planned.Add(new PlannedTransfer(i, $"{runId}-t{i:D5}", from, to, btc ? Btc : Usdt, cents / 100m));
        }
        return new TransferPlan(ids, deposits, planned);
    }

}
