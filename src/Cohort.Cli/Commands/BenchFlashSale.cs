using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Cohort.Domain;
using Npgsql;

namespace Cohort.Cli.Commands;

/// <summary>
/// <c>cohort bench flash-sale --via http|kafka</c>: one hot SKU restocked with far more units than the run can sell,
/// bought by a new account per purchase (so each one is a real purchase, never <c>already_purchased</c>) for a
/// warm-up and a measured window; then a second SKU of a few units, bought out first, and the same load on it,
/// every answer due to be <c>sold_out</c> from the node's sold-out board. Over HTTP a closed loop of
/// <c>--concurrency</c> connections posting <c>/api/v1/flash-sales/{sku}/purchase</c>; over Kafka
/// <c>--in-flight</c> purchase commands on <c>cohort.commands.order</c>, answered on a reply topic. The products
/// are set up, and their stock read, over HTTP in both cases. It ends by checking the run in PostgreSQL
/// (<see cref="BenchFlashSaleCheck"/>).
/// </summary>
internal sealed class BenchFlashSale
{
    private const string SoldOut = RejectionCodes.SoldOut;

    private readonly Settings settings;
    private readonly string runId = BenchCommand.NewRunId();

    private BenchFlashSale(Settings settings) => this.settings = settings;

    private string Label => $"flash-{settings.Via}";

    public static Command CreateCommand()
    {
        var via = new Option<string>("--via")
        {
            Description = "How the purchases go: http (POST /api/v1/flash-sales/{sku}/purchase) or kafka (cohort.commands.order).",
            Required = true,
        };
        via.AcceptOnlyFromAmong("http", "kafka");
        var url = BenchHttpClient.UrlOption();
        url.Description = "Base URL of a node (http): the purchases with --via http, and the products' setup and stock either way.";
        var kafka = new BenchKafkaClients.Options("to check the run", postgresRequired: true);
        kafka.Bootstrap.Required = false;
        var duration = BenchCommand.PositiveOption("--duration", "Seconds measured in each phase, after its warm-up.", 20);
        var warmup = BenchHttpClient.WarmupOption();
        var concurrency = BenchCommand.PositiveOption("--concurrency", "Requests in flight (and connections), with --via http.", 192);
        var inFlight = BenchCommand.PositiveOption("--in-flight", "Purchase commands sent but not yet answered, with --via kafka.", 5_000);
        var units = BenchCommand.PositiveOption("--units", "Units of the hot SKU: more than the run can sell, so it never sells out.", 100_000_000);
        var soldOutUnits = BenchCommand.PositiveOption("--sold-out-units", "Units of the SKU bought out before the sold-out phase.", 100);

        var command = new Command("flash-sale",
            "Flash-sale purchases of one hot SKU, each from a new account, then purchases of a sold-out SKU; measure answers/s, latency and the answer mix.")
        {
            via, url, kafka.Bootstrap, kafka.Postgres, duration, warmup, concurrency, inFlight, units, soldOutUnits, kafka.LingerMs, kafka.StallTimeout,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(via) == "kafka" && string.IsNullOrEmpty(result.GetValue(kafka.Bootstrap)))
            {
                result.AddError("--bootstrap is required with --via kafka.");
            }
        });
        command.SetAction((parseResult, ct) => new BenchFlashSale(new Settings(
                parseResult.GetValue(via)!,
                parseResult.GetValue(url)!,
                kafka.Read(parseResult),
                TimeSpan.FromSeconds(parseResult.GetValue(duration)),
                TimeSpan.FromSeconds(Math.Max(0, parseResult.GetValue(warmup))),
                parseResult.GetValue(concurrency),
                parseResult.GetValue(inFlight),
                parseResult.GetValue(units),
                parseResult.GetValue(soldOutUnits)))
            .RunAsync(ct));
        return command;
    }

    private async Task<int> RunAsync(CancellationToken ct)
    {
        await using var db = NpgsqlDataSource.Create(settings.Kafka.Postgres);
        var check = new BenchFlashSaleCheck(db);
        await check.MarkStartAsync(ct);
        using var http = BenchHttpClient.Create(settings.Url, 16);
        var hotSku = $"flash-{runId}";
        var soldOutSku = $"flash-{runId}-out";
        Console.WriteLine(Invariant(
            $"bench {Label}: purchases of {hotSku} ({settings.Units} units), each from a new account bench-{runId}-<n>, then of {soldOutSku} once its {settings.SoldOutUnits} units are sold; ") +
            (settings.Via == "http" ? Invariant($"{settings.Concurrency} connections to {settings.Url}") : Invariant($"{settings.InFlight} commands in flight on {settings.Kafka.Bootstrap}")) +
            Invariant($", each phase {settings.Warmup.TotalSeconds:0} s warm-up then {settings.Duration.TotalSeconds:0} s measured"));

        BenchHttpClient.ReserveThreads();
        await RestockAsync(http, hotSku, settings.Units, ct);
        await RestockAsync(http, soldOutSku, settings.SoldOutUnits, ct);

        var purchases = new BenchFlashSalePhase("purchase", hotSku, $"bench-{runId}-", 0);
        var purchasesComplete = await LoadAsync(purchases, BenchFlashSalePhase.Ok, ct);

        var setupAccounts = await SellOutAsync(http, soldOutSku, ct);
        var soldOut = new BenchFlashSalePhase("sold-out", soldOutSku, $"bench-{runId}-s", setupAccounts);
        var soldOutComplete = await LoadAsync(soldOut, SoldOut, ct);

        Report(purchases, BenchFlashSalePhase.Ok, "purchases");
        Report(soldOut, SoldOut, "sold-out answers");

        Console.WriteLine(BenchCommand.CheckingLine);
        var hot = await check.VerifyAsync(purchases, ct);
        var hotStock = await check.SettledStockAsync(http, hotSku, hot.Placed, settings.Kafka.StallTimeout * 4, ct);
        var cold = await check.VerifyAsync(soldOut, ct);
        var coldStock = await check.SettledStockAsync(http, soldOutSku, null, settings.Kafka.StallTimeout, ct);
        var hotStockOk = hotStock is { } h && h.Reserved == hot.Placed && h.Available + h.Reserved + h.Sold == settings.Units;
        var coldStockOk = coldStock is { } c && c.Available == 0 && c.Reserved + c.Sold == settings.SoldOutUnits;
        Console.WriteLine(hot.Describe(purchases.Name));
        Console.WriteLine(Invariant($"  stock of {hotSku}: {BenchFlashSaleCheck.Describe(hotStock)}; reserved == orders placed ({hot.Placed}) and available + reserved + sold == {settings.Units} added: ") +
            (hotStockOk ? "PASS" : "FAIL"));
        Console.WriteLine(cold.Describe(soldOut.Name));
        Console.WriteLine(Invariant($"  stock of {soldOutSku}: {BenchFlashSaleCheck.Describe(coldStock)}; available 0 and reserved + sold == {settings.SoldOutUnits} added: ") +
            (coldStockOk ? "PASS" : "FAIL"));
        var journalOk = hot.Exact && cold.Exact && cold.Placed == 0 && hotStockOk && coldStockOk;
        Console.WriteLine($"  check: {(journalOk ? "PASS" : "FAIL")}");

        var purchasesOk = purchasesComplete && purchases.Count(BenchFlashSalePhase.Ok) > 0 && purchases.Measured == purchases.Count(BenchFlashSalePhase.Ok);
        var soldOutOk = soldOutComplete && soldOut.Count(SoldOut) > 0 && soldOut.Measured == soldOut.Count(SoldOut);
        Console.WriteLine(ResultLine(Label, "purchases", purchases, BenchFlashSalePhase.Ok) +
            Invariant($" sent={purchases.Sent} placed={hot.Placed} journal_ok={Lower(journalOk)} ok={Lower(purchasesOk && journalOk)} client_cpu_s={BenchCommand.ProcessCpuSeconds():0.00}"));
        Console.WriteLine(ResultLine($"{Label}-sold-out", "sold_out", soldOut, SoldOut) +
            Invariant($" sent={soldOut.Sent} placed={cold.Placed} ok={Lower(soldOutOk && journalOk)}"));
        return purchasesOk && soldOutOk && journalOk ? 0 : 1;
    }

    private async Task<bool> LoadAsync(BenchFlashSalePhase phase, string expected, CancellationToken ct)
    {
        Console.WriteLine(Invariant($"  {phase.Name} phase: {phase.Sku}, accounts {phase.AccountId(phase.FirstAccount)} on, every answer due to be {expected}"));
        if (settings.Via == "http")
        {
            await BenchFlashSaleLoad.HttpAsync(phase, expected, settings.Url, settings.Concurrency, settings.Warmup, settings.Duration, ct);
            return true;
        }
        return await BenchFlashSaleLoad.KafkaAsync(phase, expected, settings.Kafka, runId, settings.InFlight, settings.Warmup, settings.Duration, ct);
    }

    private void Report(BenchFlashSalePhase phase, string expected, string what)
    {
        Console.WriteLine(Invariant(
            $"  {phase.Name}: measured {phase.Measured} answers (sent {phase.Sent} in all, answered {phase.Answered}): {phase.Mix()}"));
        Console.WriteLine(Invariant(
            $"    throughput: {phase.Count(expected) / settings.Duration.TotalSeconds:0} {what}/s ({expected} over {settings.Duration.TotalSeconds:0} s), {phase.Measured / settings.Duration.TotalSeconds:0} answers/s"));
        Console.WriteLine($"    latency ms ({(settings.Via == "http" ? "request to full response" : "send to answer")}): p90 {phase.Latency.PercentileMs(0.9).ToString("0.00", CultureInfo.InvariantCulture)}  {phase.Latency.Summary()}");
    }

    /// <summary>
    /// <c>result flash-http: purchases_per_s=... p50_ms=...</c>: one <c>_per_s</c> figure per line (the one scripts/bench.sh
    /// reads for its ratios), the measured answers that were <paramref name="expected"/> as <c>&lt;what&gt;=</c>.
    /// </summary>
    private string ResultLine(string label, string what, BenchFlashSalePhase phase, string expected)
    {
        var l = phase.Latency;
        return Invariant(
            $"result {label}: {what}_per_s={phase.Count(expected) / settings.Duration.TotalSeconds:0} p50_ms={l.PercentileMs(0.5):0.00} p90_ms={l.PercentileMs(0.9):0.00} p99_ms={l.PercentileMs(0.99):0.00} max_ms={l.MaxMs:0.00} {what}={phase.Count(expected)} other={phase.Measured - phase.Count(expected)}");
    }

    private async Task RestockAsync(HttpClient http, string sku, long units, CancellationToken ct)
    {
        using var response = await http.PutAsJsonAsync($"api/v1/products/{sku}",
            new { requestId = $"restock-{sku}", name = "Bench flash sale", price = "1.00", asset = "EUR", addStock = units }, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"restocking {sku} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        }
    }

    /// <summary>
    /// Buys out <paramref name="sku"/> (a purchase per unit, each from a new account), then goes on buying, a purchase
    /// every 50 ms, until one is answered <c>sold_out</c>: the node's board has heard the product is sold out.
    /// Returns how many accounts it used, where the sold-out phase's accounts start.
    /// </summary>
    private async Task<long> SellOutAsync(HttpClient http, string sku, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForAsync(0L, settings.SoldOutUnits, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (n, token) =>
        {
            var (status, code) = await PurchaseAsync(http, sku, $"bench-{runId}-s{n}", token);
            if (status != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"buying out {sku}: a purchase answered {(int)status} {code}");
            }
        });
        var deadline = started + (long)(settings.Kafka.StallTimeout.TotalSeconds * Stopwatch.Frequency);
        for (long n = settings.SoldOutUnits; ; n++)
        {
            var (status, code) = await PurchaseAsync(http, sku, $"bench-{runId}-s{n}", ct);
            if (status == HttpStatusCode.Conflict && code == SoldOut)
            {
                Console.WriteLine(Invariant($"  {sku} sold out in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s ({n + 1} purchases)"));
                return n + 1;
            }
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new InvalidOperationException($"{sku} was not answered sold_out within {settings.Kafka.StallTimeout.TotalSeconds:0} s of its last unit sold");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
        }
    }

    private static async Task<(HttpStatusCode Status, string? Code)> PurchaseAsync(HttpClient http, string sku, string account, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync($"api/v1/flash-sales/{sku}/purchase", new { requestId = account, accountId = account }, ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        return (response.StatusCode, response.IsSuccessStatusCode ? null : BenchFlashSalePhase.CodeOf(body, "none"));
    }

    private static string Lower(bool value) => value ? "true" : "false";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record Settings(
        string Via, Uri Url, BenchKafkaClients.Connection Kafka, TimeSpan Duration, TimeSpan Warmup, int Concurrency, int InFlight, long Units, int SoldOutUnits);
}
