using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Cohort.Node.Tests.Support;

/// <summary>
/// Compares what the client was told with what PostgreSQL holds: the account journal (events and refusals, each with
/// its request id) and the reporting projection's balances. Each rule lists its violations; a correct run has none.
/// </summary>
internal sealed class JournalCheck
{
    private readonly Dictionary<string, List<string>> violations = new(StringComparer.Ordinal);

    private JournalCheck()
    {
    }

    public int JournalEvents { get; private set; }

    public int JournalRefusals { get; private set; }

    public decimal BalanceTotal { get; private set; }

    public decimal AcknowledgedTotal { get; private set; }

    public bool Passed => violations.Count == 0;

    public static async Task<JournalCheck> RunAsync(string connectionString, IReadOnlyList<CommandOutcome> outcomes)
    {
        var check = new JournalCheck();
        await JournalRows.WaitForProjectionAsync(connectionString, TimeSpan.FromSeconds(60));
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        var records = await JournalRows.ReadAsync(conn, tx, "account");
        var balances = await JournalRows.ReadBalancesAsync(conn, tx);
        await tx.CommitAsync();
        check.Verify(outcomes, records, balances);
        check.BalanceTotal = balances.Sum(b => b.Available + b.Frozen);
        check.Rule("the sum of all balances equals acknowledged deposits minus acknowledged withdrawals",
            check.BalanceTotal == check.AcknowledgedTotal,
            $"balances sum to {check.BalanceTotal}, the client was acknowledged {check.AcknowledgedTotal}");
        check.Rule("no balance is negative", balances.All(b => b.Available >= 0 && b.Frozen >= 0),
            $"{balances.Count(b => b.Available < 0 || b.Frozen < 0)} rows of balances are negative");
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

    private void Verify(IReadOnlyList<CommandOutcome> outcomes, List<JournalRecord> records, List<BalanceRow> balances)
    {
        JournalEvents = records.Count(r => !r.IsRefusal);
        JournalRefusals = records.Count(r => r.IsRefusal);
        var sent = outcomes.ToDictionary(o => o.Command.RequestId, StringComparer.Ordinal);
        var byRequest = records.ToLookup(r => r.RequestId, StringComparer.Ordinal);

        // Each account's journal: gapless, only deposits, withdrawals and refusals, every balance-after the running sum.
        var finalBalance = new Dictionary<string, (decimal Available, long SeqNr)>(StringComparer.Ordinal);
        foreach (var list in records.GroupBy(r => r.EntityId).Select(g => g.OrderBy(r => r.SeqNr).ToList()))
        {
            var running = 0m;
            long lastEvent = 0;
            for (var i = 0; i < list.Count; i++)
            {
                var r = list[i];
                Rule("the journal of each account is numbered 1, 2, 3, ... without gaps", r.SeqNr == i + 1, $"{r.EntityId}: record #{i + 1} has sequence number {r.SeqNr}");
                Rule("the journal holds only deposits, withdrawals and refusals", r.Kind is "deposited" or "withdrawn" or "refused", r.ToString());
                if (r.IsRefusal)
                {
                    continue;
                }
                running += r.DeltaAvailable;
                lastEvent = r.SeqNr;
                Rule("no balance ever goes negative in the journal", running >= 0, $"{r.EntityId} is at {running} after #{r.SeqNr}");
                Rule("every event's balance-after is the running sum of the account's events", r.Available == running && r.Frozen == 0m,
                    $"{r}: says available {r.Available} frozen {r.Frozen}, the events sum to {running}");
            }
            finalBalance[list[0].EntityId] = (running, lastEvent);
        }

        foreach (var outcome in outcomes)
        {
            var c = outcome.Command;
            var id = c.RequestId;
            Rule("every command got a definitive answer (200, or 409 insufficient_funds)", outcome.Definitive,
                $"{id} ({c.Kind} {c.AmountText} on {c.AccountId}) ended with status {outcome.Status} code {outcome.Code ?? "-"} after {outcome.Attempts} attempts: {Shorten(outcome.Body)}");
            Rule("a deposit is never refused", !(c.IsDeposit && outcome.Refused), $"{id} deposit refused: {outcome.Body}");
            var mine = byRequest[id].ToList();
            Rule("every answered request id has exactly one journal record, on the command's account",
                !outcome.Definitive || (mine.Count == 1 && mine[0].EntityId == c.AccountId),
                $"{id} on {c.AccountId}: {string.Join("; ", mine)}");
            if (outcome.Applied && mine.Count == 1)
            {
                CheckAcknowledged(outcome, mine[0]);
            }
            else if (outcome.Refused && mine.Count == 1)
            {
                using var answer = JsonDocument.Parse(outcome.Body);
                Rule("a refused command's journal record is its refusal, with the answer's code and message",
                    mine[0].IsRefusal && mine[0].Code == outcome.Code && mine[0].Message == answer.RootElement.GetProperty("detail").GetString(),
                    $"{id}: answered {outcome.Body}, journal {mine[0]} {mine[0].Code} {mine[0].Message}");
            }
        }

        var stray = records.Where(r => !sent.TryGetValue(r.RequestId, out var o) || (!r.IsRefusal && !o.Applied) || (r.IsRefusal && !o.Refused)).ToList();
        Rule("every journal record belongs to a command answered accordingly (events 200, refusals 409)", stray.Count == 0,
            string.Join("; ", stray.Take(5).Select(r => $"{r} ({(sent.TryGetValue(r.RequestId, out var o) ? $"answered {o.Status}" : "never sent")})")));

        // The projection against the journal and against the client's acknowledged amounts, account by account.
        var expected = outcomes.Where(o => o.Applied)
            .GroupBy(o => o.Command.AccountId)
            .ToDictionary(g => g.Key, g => g.Sum(o => o.Command.IsDeposit ? o.Command.Amount : -o.Command.Amount));
        AcknowledgedTotal = expected.Values.Sum();
        var rows = balances.GroupBy(b => b.AccountId).ToDictionary(g => g.Key, g => g.First());
        Rule("balances has one row per account, for USDT only", balances.All(b => b.Asset == PlannedCommand.Asset) && rows.Count == balances.Count,
            $"{balances.Count} rows for {rows.Count} accounts, assets {string.Join(",", balances.Select(b => b.Asset).Distinct())}");
        foreach (var account in finalBalance.Keys.Where(a => finalBalance[a].SeqNr > 0).Union(rows.Keys).Union(expected.Keys).Order(StringComparer.Ordinal))
        {
            var journal = finalBalance.GetValueOrDefault(account);
            rows.TryGetValue(account, out var row);
            Rule("the balances row of every account equals its journal", row is not null && row.Available == journal.Available && row.SeqNr == journal.SeqNr,
                $"{account}: journal {journal.Available} as of #{journal.SeqNr}, balances {(row is null ? "missing" : $"{row.Available} as of #{row.SeqNr}")}");
            Rule("the balance of every account equals what the client was acknowledged",
                (row?.Available ?? 0m) == expected.GetValueOrDefault(account),
                $"{account}: balances {row?.Available.ToString(CultureInfo.InvariantCulture) ?? "missing"}, acknowledged {expected.GetValueOrDefault(account)}");
            Rule("nothing is frozen", row is null || row.Frozen == 0m, $"{account}: frozen {row?.Frozen}");
        }
    }

    private void CheckAcknowledged(CommandOutcome outcome, JournalRecord record)
    {
        var c = outcome.Command;
        using var answer = JsonDocument.Parse(outcome.Body);
        var a = answer.RootElement;
        var seqNr = a.GetProperty("seqNr").GetInt64();
        var available = decimal.Parse(a.GetProperty("available").GetString()!, CultureInfo.InvariantCulture);
        Rule("the answer names the command", a.GetProperty("accountId").GetString() == c.AccountId
            && a.GetProperty("requestId").GetString() == c.RequestId && a.GetProperty("asset").GetString() == PlannedCommand.Asset,
            $"{c.RequestId} on {c.AccountId}: {outcome.Body}");
        Rule("the answer's seqNr is the command's record in the journal", !record.IsRefusal && record.SeqNr == seqNr,
            $"{c.RequestId}: answered #{seqNr}, the journal has {record}");
        Rule("the journal event is the command", record.Kind == (c.IsDeposit ? "deposited" : "withdrawn")
            && record.Asset == PlannedCommand.Asset && record.Amount == c.Amount,
            $"{c.RequestId} ({c.Kind} {c.AmountText}): {record}");
        Rule("the answer's balance is the journal's balance after its event", record.Available == available,
            $"{c.RequestId}: answered available {available} at #{seqNr}, the journal says {record.Available}");
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
}
