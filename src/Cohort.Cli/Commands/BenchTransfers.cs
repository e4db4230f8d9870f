using System.CommandLine;
using System.Globalization;
using System.Net;
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

    /// <summary>As <c>cohort bench http</c>'s <c>--url</c>.</summary>
    public static Option<Uri> UrlOption() => new("--url")
    {
        Description = "Base URL of a node.",
        DefaultValueFactory = _ => new Uri("http://127.0.0.1:8080/"),
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (Uri.TryCreate(text, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https")
            {
                // Relative request paths replace the last segment of a base address that does not end in a slash.
                return parsed.AbsoluteUri.EndsWith('/') ? parsed : new Uri(parsed.AbsoluteUri + "/");
            }
            result.AddError($"--url must be an absolute http(s) URL, not '{text}'.");
            return null;
        },
    };

    /// <summary>The client of <c>cohort bench http</c>: keep-alive connections, nothing the node does not need.</summary>
    public static HttpClient CreateHttpClient(Uri url, int connections) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            BaseAddress = url,
            Timeout = TimeSpan.FromSeconds(30),
            DefaultRequestVersion = HttpVersion.Version11,
        };

    public static Npgsql.NpgsqlParameter TextArray(IReadOnlyList<string> values) =>
        new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
