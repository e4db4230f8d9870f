using System.CommandLine;
using System.Globalization;
using NpgsqlTypes;

namespace Cohort.Cli.Commands;

/// <summary>
/// What <c>cohort bench transfers-http</c> and <c>transfers-kafka</c> share: the accounts of a run (fresh ids, so
/// the USDT total of a run's accounts is exactly what the run deposited), how a transfer is drawn, the options.
/// </summary>
internal static class BenchTransfers
{
    public const string Asset = "USDT";

    /// <summary>What each account is funded with: a run of 1.00 transfers never runs an account dry.</summary>
    public const decimal FundAmount = 1_000_000m;

    public const string FundAmountText = "1000000";

    public const string TransferAmountText = "1.00";

    public const decimal TransferAmount = 1.00m;

    /// <summary><c>bta-&lt;run&gt;-0</c> ... : accounts no earlier run touched.</summary>
    public static string[] AccountIds(string runId, int accounts) =>
        Enumerable.Range(0, accounts).Select(n => string.Create(CultureInfo.InvariantCulture, $"bta-{runId}-{n}")).ToArray();

    /// <summary>Two distinct accounts, uniformly.</summary>
    public static (int From, int To) RandomPair(int accounts)
    {
        var from = Random.Shared.Next(accounts);
        var to = Random.Shared.Next(accounts - 1);
        return (from, to >= from ? to + 1 : to);
    }

    /// <summary>
    /// Funds the run's accounts before anything is measured, saying so first (how: <paramref name="how"/>).
    /// </summary>
    /// <returns>false when the funding failed and the run cannot start: <paramref name="fund"/> said why.</returns>
    public static Task<bool> FundAccountsAsync(string bench, string runId, int accounts, string how, Func<Task<bool>> fund)
    {
        Console.WriteLine(Invariant($"bench {bench}: funding {accounts} accounts bta-{runId}-* with {FundAmountText} {Asset} each {how}"));
        return fund();
    }

    public static Option<int> AccountsOption()
    {
        var option = BenchCommand.PositiveOption("--accounts", "Accounts the transfers move between (funded first, fresh for every run).", 10_000);
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() == 1)
            {
                result.AddError("--accounts must be at least 2: a transfer needs two distinct accounts.");
            }
        });
        return option;
    }

    public static Npgsql.NpgsqlParameter TextArray(IReadOnlyList<string> values) =>
        new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// A transfer the run sent: its id, its accounts, and the status its answer gave ("completed", "rejected", or ""
/// when no answer told: it must then be final or absent, never pending).
/// </summary>
internal sealed record SentTransfer(string Id, string From, string To, string Expected);
