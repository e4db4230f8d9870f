using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Cohort.Node.Tests.Support;

/// <summary>
/// Compares what the client was told with what PostgreSQL holds: the journal, the stored request results and the
/// account_balances read model. Each rule lists its violations; a correct run has none.
/// </summary>
internal sealed class JournalCheck
{
    private readonly Dictionary<string, List<string>> violations = new(StringComparer.Ordinal);

    private JournalCheck()
    {
    }

    public int JournalEvents { get; private set; }

    public int RequestResults { get; private set; }

    public decimal BalanceTotal { get; private set; }

    public decimal AcknowledgedTotal { get; private set; }

    public IReadOnlyDictionary<string, List<string>> Violations => violations;

    public bool Passed => violations.Count == 0;

    public static async Task<JournalCheck> RunAsync(string connectionString, IReadOnlyList<CommandOutcome> outcomes)
    {
        var check = new JournalCheck();
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        var events = await ReadEventsAsync(conn);
        var results = await ReadResultsAsync(conn);
        var balances = await ReadBalancesAsync(conn);
        check.Verify(outcomes, events, results, balances);
        await using var totals = new NpgsqlCommand(
            "SELECT coalesce(sum(available), 0), coalesce(sum(frozen), 0), count(*) FILTER (WHERE available < 0 OR frozen < 0) FROM account_balances", conn);
        await using var reader = await totals.ExecuteReaderAsync();
        await reader.ReadAsync();
        check.BalanceTotal = reader.GetDecimal(0) + reader.GetDecimal(1);
        check.Rule("the sum of all balances equals acknowledged deposits minus acknowledged withdrawals",
            check.BalanceTotal == check.AcknowledgedTotal,
            $"account_balances sum to {check.BalanceTotal}, the client was acknowledged {check.AcknowledgedTotal}");
        check.Rule("no balance is negative", reader.GetInt64(2) == 0, $"{reader.GetInt64(2)} rows of account_balances are negative");
        return check;
    }

    public string Describe()
    {
        if (Passed)
        {
            return "all rules hold";
        }
        var text = new StringBuilder();
        foreach (var (rule, list) in violations)
        {
            text.Append($"\n- {rule}: {list.Count} violation(s), e.g.\n    ");
            text.AppendJoin("\n    ", list.Take(8));
        }
        return text.ToString();
    }

    private void Verify(
        IReadOnlyList<CommandOutcome> outcomes, List<JournalEvent> events, List<StoredRequestResult> results, List<BalanceRow> balances)
    {
        JournalEvents = events.Count;
        RequestResults = results.Count;
        var sent = outcomes.ToDictionary(o => o.Command.RequestId, StringComparer.Ordinal);
        var eventsByRequest = events.ToLookup(e => e.RequestId, StringComparer.Ordinal);
        var resultsByRequest = results.ToLookup(r => r.RequestId, StringComparer.Ordinal);
        var eventsByAccount = events.GroupBy(e => e.EntityId).ToDictionary(g => g.Key, g => g.OrderBy(e => e.SeqNr).ToList());

        // Running balance of each account after each of its events, as the journal tells it.
        var balanceAfter = new Dictionary<(string, long), decimal>();
        foreach (var (account, list) in eventsByAccount)
        {
            var running = 0m;
            for (var i = 0; i < list.Count; i++)
            {
                var e = list[i];
                Rule("the journal of each account is numbered 1, 2, 3, ... without gaps", e.SeqNr == i + 1,
                    $"{account}: event #{i + 1} has seq_nr {e.SeqNr}");
                running += e.EventType switch
                {
                    "deposited" => e.Amount,
                    "withdrawn" => -e.Amount,
                    _ => 0m,
                };
                Rule("the journal holds only deposits and withdrawals", e.EventType is "deposited" or "withdrawn",
                    $"{account}#{e.SeqNr} is {e.EventType}");
                Rule("no balance ever goes negative in the journal", running >= 0, $"{account} is at {running} after #{e.SeqNr}");
                balanceAfter[(account, e.SeqNr)] = running;
            }
        }

        foreach (var outcome in outcomes)
        {
            var c = outcome.Command;
            var id = c.RequestId;
            Rule("every command got a definitive answer (200, or 409 insufficient_funds)", outcome.Definitive,
                $"{id} ({c.Kind} {c.AmountText} on {c.AccountId}) ended with status {outcome.Status} code {outcome.Code ?? "-"} after {outcome.Attempts} attempts: {Shorten(outcome.Body)}");
            Rule("a deposit is never refused", !(c.IsDeposit && outcome.Refused), $"{id} deposit refused: {outcome.Body}");

            var stored = resultsByRequest[id].ToList();
            Rule("every request id has exactly one stored result", stored.Count == 1, $"{id} has {stored.Count} rows in request_results");
            Rule("a stored result belongs to the command's account", stored.All(r => r.EntityId == c.AccountId),
                $"{id} is stored for {string.Join(",", stored.Select(r => r.EntityId))}, sent to {c.AccountId}");
            var applied = eventsByRequest[id].ToList();
            if (outcome.Applied)
            {
                Rule("a command answered 200 has exactly one journal event", applied.Count == 1, $"{id} has {applied.Count} events");
                CheckAcknowledged(outcome, applied, stored, balanceAfter);
            }
            else if (outcome.Refused)
            {
                Rule("a refused command has no journal event", applied.Count == 0,
                    $"{id} was refused but has events {string.Join(",", applied.Select(e => $"{e.EntityId}#{e.SeqNr}"))}");
                if (stored.Count == 1)
                {
                    using var answer = JsonDocument.Parse(outcome.Body);
                    using var result = JsonDocument.Parse(stored[0].ResultJson);
                    var r = result.RootElement;
                    Rule("the stored result equals the answer",
                        !r.GetProperty("ok").GetBoolean()
                        && r.GetProperty("code").GetString() == outcome.Code
                        && r.GetProperty("message").GetString() == answer.RootElement.GetProperty("detail").GetString(),
                        $"{id}: answered {outcome.Body}, stored {stored[0].ResultJson}");
                }
            }
        }

        var stray = events.Where(e => !sent.TryGetValue(e.RequestId, out var o) || !o.Applied).ToList();
        Rule("every journal event belongs to a command answered 200", stray.Count == 0,
            string.Join("; ", stray.Take(5).Select(e => $"{e.EntityId}#{e.SeqNr} request {e.RequestId} ({(sent.TryGetValue(e.RequestId, out var o) ? $"answered {o.Status}" : "never sent")})")));
        var unknown = results.Where(r => !sent.ContainsKey(r.RequestId)).ToList();
        Rule("every stored result belongs to a command the client sent", unknown.Count == 0,
            string.Join("; ", unknown.Take(5).Select(r => $"{r.EntityId}/{r.RequestId}")));

        // The read model against the journal and against the client's acknowledged amounts, account by account.
        var expected = outcomes.Where(o => o.Applied)
            .GroupBy(o => o.Command.AccountId)
            .ToDictionary(g => g.Key, g => g.Sum(o => o.Command.IsDeposit ? o.Command.Amount : -o.Command.Amount));
        AcknowledgedTotal = expected.Values.Sum();
        var rows = balances.GroupBy(b => b.AccountId).ToDictionary(g => g.Key, g => g.First());
        Rule("account_balances has one row per account, for USDT only", balances.All(b => b.Asset == PlannedCommand.Asset) && rows.Count == balances.Count,
            $"{balances.Count} rows for {rows.Count} accounts, assets {string.Join(",", balances.Select(b => b.Asset).Distinct())}");
        foreach (var account in eventsByAccount.Keys.Union(rows.Keys).Union(expected.Keys).Order(StringComparer.Ordinal))
        {
            var list = eventsByAccount.GetValueOrDefault(account) ?? [];
            var journal = list.Count == 0 ? 0m : balanceAfter[(account, list[^1].SeqNr)];
            rows.TryGetValue(account, out var row);
            Rule("the read model of every account equals its journal", row is not null && row.Available == journal && row.SeqNr == list.Count,
                $"{account}: journal {journal} after {list.Count} events, account_balances {(row is null ? "missing" : $"{row.Available} at seq_nr {row.SeqNr}")}");
            Rule("the balance of every account equals what the client was acknowledged",
                (row?.Available ?? 0m) == expected.GetValueOrDefault(account),
                $"{account}: account_balances {row?.Available.ToString(CultureInfo.InvariantCulture) ?? "missing"}, acknowledged {expected.GetValueOrDefault(account)}");
            Rule("nothing is frozen", row is null || row.Frozen == 0m, $"{account}: frozen {row?.Frozen}");
        }
    }

    private void CheckAcknowledged(
        CommandOutcome outcome, List<JournalEvent> applied, List<StoredRequestResult> stored, Dictionary<(string, long), decimal> balanceAfter)
    {
        var c = outcome.Command;
        using var answer = JsonDocument.Parse(outcome.Body);
        var a = answer.RootElement;
        var seqNr = a.GetProperty("seqNr").GetInt64();
        var available = decimal.Parse(a.GetProperty("available").GetString()!, CultureInfo.InvariantCulture);
        Rule("the answer names the command", a.GetProperty("accountId").GetString() == c.AccountId
            && a.GetProperty("requestId").GetString() == c.RequestId && a.GetProperty("asset").GetString() == PlannedCommand.Asset,
            $"{c.RequestId} on {c.AccountId}: {outcome.Body}");
        if (applied.Count == 1)
        {
            var e = applied[0];
            Rule("the answer's seqNr is the command's event in the journal", e.EntityId == c.AccountId && e.SeqNr == seqNr,
                $"{c.RequestId}: answered {c.AccountId}#{seqNr}, the journal has it as {e.EntityId}#{e.SeqNr}");
            Rule("the journal event is the command", e.EventType == (c.IsDeposit ? "deposited" : "withdrawn")
                && e.Asset == PlannedCommand.Asset && e.Amount == c.Amount,
                $"{c.RequestId} ({c.Kind} {c.AmountText}): {e.EventType} {e.Asset} {e.Amount}");
        }
        Rule("the answer's balance is the journal's balance after its event",
            balanceAfter.TryGetValue((c.AccountId, seqNr), out var journal) && journal == available,
            $"{c.RequestId}: answered available {available} at #{seqNr}, the journal gives {(balanceAfter.TryGetValue((c.AccountId, seqNr), out var j) ? j : "no such event")}");
        if (stored.Count == 1)
        {
            using var result = JsonDocument.Parse(stored[0].ResultJson);
            var r = result.RootElement;
            Rule("the stored result equals the answer",
                r.GetProperty("ok").GetBoolean() && r.GetProperty("body").GetRawText() == outcome.Body,
                $"{c.RequestId}: answered {outcome.Body}, stored {stored[0].ResultJson}");
        }
    }

    private void Rule(string rule, bool holds, string violation)
    {
        if (holds)
        {
            return;
        }
        if (!violations.TryGetValue(rule, out var list))
        {
            violations[rule] = list = [];
        }
        list.Add(violation);
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "...";

    private static async Task<List<JournalEvent>> ReadEventsAsync(NpgsqlConnection conn)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT entity_id, seq_nr, event_type, payload->>'asset', payload->>'amount', request_id
              FROM journal WHERE entity_type = 'account' ORDER BY entity_id, seq_nr
            """, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var list = new List<JournalEvent>();
        while (await reader.ReadAsync())
        {
            list.Add(new JournalEvent(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3),
                decimal.Parse(reader.GetString(4), CultureInfo.InvariantCulture), reader.GetString(5)));
        }
        return list;
    }

    private static async Task<List<StoredRequestResult>> ReadResultsAsync(NpgsqlConnection conn)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT entity_id, request_id, result::text FROM request_results WHERE entity_type = 'account'", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var list = new List<StoredRequestResult>();
        while (await reader.ReadAsync())
        {
            list.Add(new StoredRequestResult(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }
        return list;
    }

    private static async Task<List<BalanceRow>> ReadBalancesAsync(NpgsqlConnection conn)
    {
        await using var cmd = new NpgsqlCommand("SELECT account_id, asset, available, frozen, seq_nr FROM account_balances", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var list = new List<BalanceRow>();
        while (await reader.ReadAsync())
        {
            list.Add(new BalanceRow(reader.GetString(0), reader.GetString(1), reader.GetDecimal(2), reader.GetDecimal(3), reader.GetInt64(4)));
        }
        return list;
    }

    private sealed record JournalEvent(string EntityId, long SeqNr, string EventType, string Asset, decimal Amount, string RequestId);

    private sealed record StoredRequestResult(string EntityId, string RequestId, string ResultJson);

    private sealed record BalanceRow(string AccountId, string Asset, decimal Available, decimal Frozen, long SeqNr);
}
