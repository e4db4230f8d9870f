using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;

namespace Cohort.Cli.Commands;

/// <summary>
/// One measured phase of <c>cohort bench flash-sale</c>: purchases of one SKU, each from a new account
/// (<c>&lt;AccountPrefix&gt;n</c>, n from <see cref="FirstAccount"/>), and what came of them. Every answer is kept by
/// account number for the check in the journal; only those sent and answered inside the measured window count in
/// the throughput, the latency and the answer mix.
/// </summary>
internal sealed class BenchFlashSalePhase(string name, string sku, string accountPrefix, long firstAccount)
{
    /// <summary>A 200 over HTTP, <c>"ok":true</c> over Kafka: an order placed.</summary>
    public const string Ok = "ok";

    private readonly ConcurrentQueue<(long Account, string Outcome)> answers = new();
    private readonly ConcurrentDictionary<string, long> mix = new(StringComparer.Ordinal);
    private long next = firstAccount - 1;
    private long measured;
    private long sent;

    public string Name => name;

    public string Sku => sku;

    public long FirstAccount => firstAccount;

    public BenchLatencyRecorder Latency { get; } = new();

    public long Measured => Interlocked.Read(ref measured);

    public long Sent => Interlocked.Read(ref sent);

    /// <summary>Account numbers handed out so far: <see cref="FirstAccount"/> .. this - 1.</summary>
    public long End => Interlocked.Read(ref next) + 1;

    public long Answered => answers.Count;

    public string AccountId(long n) => string.Create(CultureInfo.InvariantCulture, $"{accountPrefix}{n}");

    /// <summary>The next new account, counted as sent.</summary>
    public long Take()
    {
        Interlocked.Increment(ref sent);
        return Interlocked.Increment(ref next);
    }

    public void Answer(long account, string outcome) => answers.Enqueue((account, outcome));

    public void Measure(string outcome, TimeSpan latency)
    {
        Latency.Record(latency);
        Interlocked.Increment(ref measured);
        mix.AddOrUpdate(outcome, 1, (_, c) => c + 1);
    }

    /// <summary>Measured answers that were <paramref name="outcome"/>.</summary>
    public long Count(string outcome) => mix.GetValueOrDefault(outcome);

    public IEnumerable<(long Account, string Outcome)> Answers => answers;

    /// <summary>"ok 12000, sold_out 3": the measured answers by kind, most frequent first.</summary>
    public string Mix() => mix.IsEmpty
        ? "none"
        : string.Join(", ", mix.OrderByDescending(m => m.Value).Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Value}")));

    /// <summary>
    /// The kind of a refusal: the <c>code</c> of its JSON body (a problem over HTTP, <c>{"ok":false,"code"}</c> over
    /// Kafka), or <paramref name="fallback"/> when it has none.
    /// </summary>
    public static string CodeOf(byte[] body, string fallback)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("code", out var code)
                && code.ValueKind == JsonValueKind.String ? code.GetString()! : fallback;
        }
        catch (JsonException)
        {
            return fallback;
        }
    }
}
