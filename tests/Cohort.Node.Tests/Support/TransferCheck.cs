using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Cohort.Node.Tests.Support;

/// <summary>
/// Compares what a transfer client was told with what PostgreSQL holds: the journals of transfers and accounts (the
/// ledger is the account journal: every event carries its asset's balance after it), and the reporting projection's
/// transfer_status and balances. Each rule lists its violations; a correct run has none.
/// </summary>
internal sealed class TransferCheck
{
    private readonly Dictionary<string, List<string>> violations = new(StringComparer.Ordinal);

    /// <summary>Accounts at the balance limit of USDT: a credit of USDT to them is refused.</summary>
    private IReadOnlySet<string> fullAccounts = new HashSet<string>();

    private TransferCheck()
    {
    }

    public int AccountEvents { get; private set; }

    public int TransferEvents { get; private set; }

    public int Completed { get; private set; }

    public int Rejected { get; private set; }

    public int Refunded { get; private set; }

    public IReadOnlyDictionary<string, decimal> BalanceTotals { get; private set; } = new Dictionary<string, decimal>();

    public bool Passed => violations.Count == 0;

    public static async Task<TransferCheck> RunAsync(
        string connectionString,
        IReadOnlyList<(PlannedDeposit Deposit, RequestOutcome Outcome)> deposits,
        IReadOnlyList<(PlannedTransfer Transfer, RequestOutcome Outcome)> transfers,
        IReadOnlySet<string> fullAccounts)
    {
        var check = new TransferCheck { fullAccounts = fullAccounts };
        await JournalRows.WaitForProjectionAsync(connectionString, TimeSpan.FromSeconds(60));
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        // One snapshot for every read, although nothing should be writing any more.
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        var rows = await ReadTransferRowsAsync(conn, tx);
        var transferRecords = await JournalRows.ReadAsync(conn, tx, "transfer");
        var accountRecords = await JournalRows.ReadAsync(conn, tx, "account");
        var balances = await JournalRows.ReadBalancesAsync(conn, tx);
        await tx.CommitAsync();

        check.AccountEvents = accountRecords.Count(r => !r.IsRefusal);
        check.TransferEvents = transferRecords.Count;
        check.CheckTransfers(transfers, rows, transferRecords);
        check.CheckAccountJournal(deposits, transfers, accountRecords);
        check.CheckBalances(deposits, transfers, accountRecords, balances);
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

    /// <summary>transfer_status and the transfer journal against what the client was answered.</summary>
    private void CheckTransfers(
        IReadOnlyList<(PlannedTransfer Transfer, RequestOutcome Outcome)> transfers, Dictionary<string, TransferRow> rows, List<JournalRecord> records)
    {
        var recordsByTransfer = records.GroupBy(e => e.EntityId).ToDictionary(g => g.Key, g => g.OrderBy(e => e.SeqNr).ToList(), StringComparer.Ordinal);
        foreach (var (t, outcome) in transfers)
        {
            var id = t.RequestId;
            Rule("every transfer got a definitive answer: 200, or 409", outcome.Status is 200 or 409,
                $"{t} ended with status {outcome.Status} code {outcome.Code ?? "-"} after {outcome.Attempts} attempts [{string.Join(" ", outcome.Retries)}]: {Shorten(outcome.Body)}");
            if (!rows.TryGetValue(id, out var row))
            {
                Rule("every transfer has a row in transfer_status", false, $"{t}: no row; answered {outcome.Status} {Shorten(outcome.Body)}");
                continue;
            }
            Rule("every transfer is completed or rejected in transfer_status", row.Status is "completed" or "rejected",
                $"{t}: status {row.Status}, reason {row.Reason ?? "-"}; answered {outcome.Status}");
            Rule("the transfer_status row has the request's terms", row.From == t.From && row.To == t.To && row.Asset == t.Asset && row.Amount == t.Amount,
                $"{t}: row {row.From} -> {row.To} {row.Amount} {row.Asset}");
            if (row.Status == "completed")
            {
                Completed++;
                Rule("a completed transfer has no reason", row.Reason is null, $"{t}: completed with reason {row.Reason}");
            }
            else if (row.Status == "rejected")
            {
                Rejected++;
                Rule("a transfer is rejected for insufficient_funds, or for balance_limit_exceeded when it credits USDT to a full account",
                    row.Reason == "insufficient_funds" || (row.Reason == "balance_limit_exceeded" && t.Asset == "USDT" && fullAccounts.Contains(t.To)),
                    $"{t}: rejected with reason {row.Reason ?? "null"}");
            }

            // The final HTTP answer agrees with the row.
            if (outcome.Status == 200)
            {
                Rule("a transfer answered 200 is completed", row.Status == "completed", $"{t}: answered 200, the row says {row.Status} ({row.Reason})");
                CheckCompletedAnswer(t, outcome);
            }
            else if (outcome.Status == 409)
            {
                Rule("a transfer answered 409 is rejected, with its reason as code", row.Status == "rejected" && row.Reason == outcome.Code,
                    $"{t}: answered 409 {outcome.Code}, the row says {row.Status} ({row.Reason})");
            }

            // The transfer's own journal: numbered without gaps, one of the three paths, ending in the row's status.
            var list = recordsByTransfer.GetValueOrDefault(id) ?? [];
            for (var i = 0; i < list.Count; i++)
            {
                Rule("the journal of each transfer is numbered 1, 2, 3, ... without gaps", list[i].SeqNr == i + 1,
                    $"{id}: record #{i + 1} has sequence number {list[i].SeqNr}");
            }
            var path = string.Join(",", list.Select(e => e.Kind));
            Rule("each transfer's journal is started,debitConfirmed,completed or started,rejected or started,debitConfirmed,creditRefused,rejected",
                path is "started,debitConfirmed,completed" or "started,rejected" or "started,debitConfirmed,creditRefused,rejected",
                $"{t}: {(path.Length == 0 ? "no records" : path)}");
            Rule("transfer_status is the transfer's last event", list.Count > 0 && row.SeqNr == list[^1].SeqNr
                && row.Status == (list[^1].Kind switch { "completed" => "completed", "rejected" => "rejected", _ => "pending" }),
                $"{t}: row {row.Status} at #{row.SeqNr}, journal {path}");
            Rule("the transfer's events carry its terms", list.All(e => e.Asset == t.Asset && e.Amount == t.Amount && e.From == t.From && e.To == t.To),
                $"{t}: {string.Join("; ", list.Select(e => $"{e.Kind} {e.From}->{e.To} {e.Amount} {e.Asset}"))}");
            Rule("each transfer's start is journaled once, under its own request id", list.Count(e => e.Kind == "started" && e.RequestId == id) == 1,
                $"{t}: {string.Join("; ", list.Select(e => $"{e.Kind} req {e.RequestId}"))}");
        }
        var requested = transfers.Select(t => t.Transfer.RequestId).ToHashSet(StringComparer.Ordinal);
        var strays = rows.Keys.Where(k => !requested.Contains(k)).Concat(recordsByTransfer.Keys.Where(k => !requested.Contains(k))).Distinct().ToList();
        Rule("every transfer in PostgreSQL was requested by the client", strays.Count == 0, string.Join(", ", strays.Take(10)));
    }

    private void CheckCompletedAnswer(PlannedTransfer t, RequestOutcome outcome)
    {
        try
        {
            using var doc = JsonDocument.Parse(outcome.Body);
            var a = doc.RootElement;
            Rule("a 200 answer names the transfer and says completed",
                a.GetProperty("requestId").GetString() == t.RequestId && a.GetProperty("from").GetString() == t.From
                && a.GetProperty("to").GetString() == t.To && a.GetProperty("asset").GetString() == t.Asset
                && decimal.Parse(a.GetProperty("amount").GetString()!, CultureInfo.InvariantCulture) == t.Amount
                && a.GetProperty("status").GetString() == "completed" && a.GetProperty("reason").ValueKind == JsonValueKind.Null,
                $"{t}: {outcome.Body}");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            Rule("a 200 answer names the transfer and says completed", false, $"{t}: {outcome.Body} ({e.Message})");
        }
    }

    /// <summary>
    /// The account journal: gapless, never negative, every balance-after the running sum (it is the ledger), each
    /// deposit once, each transfer leg once and only where due.
    /// </summary>
    private void CheckAccountJournal(
        IReadOnlyList<(PlannedDeposit Deposit, RequestOutcome Outcome)> deposits,
        IReadOnlyList<(PlannedTransfer Transfer, RequestOutcome Outcome)> transfers,
        List<JournalRecord> records)
    {
        foreach (var (account, list) in records.GroupBy(e => e.EntityId).Select(g => (g.Key, g.OrderBy(e => e.SeqNr).ToList())))
        {
            var running = new Dictionary<string, decimal>(StringComparer.Ordinal);
            for (var i = 0; i < list.Count; i++)
            {
                var e = list[i];
                Rule("the journal of each account is numbered 1, 2, 3, ... without gaps", e.SeqNr == i + 1,
                    $"{account}: record #{i + 1} has sequence number {e.SeqNr}");
                if (e.IsRefusal)
                {
                    Rule("an account refuses only transfer steps, for insufficient funds or the balance limit",
                        e.RequestId.EndsWith(":debit", StringComparison.Ordinal) && e.Code == "insufficient_funds"
                        || e.RequestId.EndsWith(":credit", StringComparison.Ordinal) && e.Code == "balance_limit_exceeded",
                        $"{account}#{e.SeqNr} refused {e.RequestId}: {e.Code}");
                    continue;
                }
                Rule("the account journal holds only deposits and transfer legs",
                    e.Kind is "deposited" or "transferDebited" or "transferCredited" or "transferRefunded", e.ToString());
                running[e.Asset!] = running.GetValueOrDefault(e.Asset!) + e.DeltaAvailable;
                Rule("no balance ever goes negative in the journal", running[e.Asset!] >= 0m, $"{e}: {e.Asset} at {running[e.Asset!]}");
                Rule("every event's balance-after is the running sum of its asset's events (the ledger adds up)",
                    e.Available == running[e.Asset!] && e.Frozen == 0m, $"{e}: says {e.Available}/{e.Frozen}, the events sum to {running[e.Asset!]}");
            }
        }

        // Each funding deposit exactly once, as acknowledged.
        var depositEvents = records.Where(e => e.Kind == "deposited").ToLookup(e => e.RequestId, StringComparer.Ordinal);
        foreach (var (d, outcome) in deposits)
        {
            Rule("every funding deposit was answered 200", outcome.Status == 200,
                $"{d.RequestId} on {d.AccountId}: {outcome.Status} {Shorten(outcome.Body)}");
            var found = depositEvents[d.RequestId].ToList();
            Rule("every funding deposit is in the journal exactly once, as sent",
                found.Count == 1 && found[0].EntityId == d.AccountId && found[0].Asset == d.Asset && found[0].Amount == d.Amount,
                $"{d.RequestId} ({d.AccountId} {d.AmountText} {d.Asset}): {string.Join("; ", found)}");
        }
        var funded = deposits.Select(d => d.Deposit.RequestId).ToHashSet(StringComparer.Ordinal);
        var strayDeposits = records.Where(e => e.Kind == "deposited" && !funded.Contains(e.RequestId)).ToList();
        Rule("every deposit in the journal was sent by the client", strayDeposits.Count == 0, string.Join("; ", strayDeposits.Take(5)));

        // Each transfer's legs: completed = one debit on from + one credit on to; rejected = nothing, or a debit refunded.
        var legs = records.Where(e => e.TransferId is not null).ToLookup(e => e.TransferId!, StringComparer.Ordinal);
        var byId = transfers.ToDictionary(t => t.Transfer.RequestId, StringComparer.Ordinal);
        var stepRecords = records.ToLookup(r => (r.EntityId, r.RequestId));
        foreach (var (t, outcome) in transfers)
        {
            var mine = legs[t.RequestId].ToList();
            var debits = mine.Where(e => e.Kind == "transferDebited").ToList();
            var credits = mine.Where(e => e.Kind == "transferCredited").ToList();
            var refunds = mine.Where(e => e.Kind == "transferRefunded").ToList();
            var describe = $"{t} answered {outcome.Status} {outcome.Code}: " +
                (mine.Count == 0 ? "no legs" : string.Join("; ", mine.Select(e => $"{e} cp {e.Counterparty}")));
            Rule("every transfer leg is on the right account, with the terms, the step's request id and the counterparty",
                debits.All(e => e.EntityId == t.From && e.Counterparty == t.To && e.RequestId == $"{t.RequestId}:debit")
                && credits.All(e => e.EntityId == t.To && e.Counterparty == t.From && e.RequestId == $"{t.RequestId}:credit")
                && refunds.All(e => e.EntityId == t.From && e.Counterparty == t.To && e.RequestId == $"{t.RequestId}:refund")
                && mine.All(e => e.Asset == t.Asset && e.Amount == t.Amount),
                describe);
            Rule("a transfer debits its sender at most once, credits its receiver at most once and refunds at most once",
                debits.Count <= 1 && credits.Count <= 1 && refunds.Count <= 1, describe);
            if (outcome.Status == 200)
            {
                Rule("a completed transfer debited the sender exactly once and credited the receiver exactly once, and refunded nothing",
                    debits.Count == 1 && credits.Count == 1 && refunds.Count == 0, describe);
            }
            else if (outcome.Status == 409)
            {
                Rule("a rejected transfer moved nothing: never credited, and any debit refunded",
                    credits.Count == 0 && debits.Count == refunds.Count, describe);
                if (refunds.Count > 0)
                {
                    Refunded++;
                }
                if (outcome.Code == "insufficient_funds")
                {
                    Rule("a transfer rejected for insufficient funds never debited, and its sender journaled the refusal once",
                        debits.Count == 0 && stepRecords[(t.From, $"{t.RequestId}:debit")].Count(r => r.IsRefusal) == 1, describe);
                }
                else if (outcome.Code == "balance_limit_exceeded")
                {
                    Rule("a transfer whose credit was refused was debited once and refunded once", debits.Count == 1 && refunds.Count == 1, describe);
                }
            }
            foreach (var leg in mine)
            {
                Rule("every transfer step has exactly one record on its account", stepRecords[(leg.EntityId, leg.RequestId)].Count() == 1,
                    $"{leg.EntityId} {leg.RequestId}: {stepRecords[(leg.EntityId, leg.RequestId)].Count()} records");
            }
        }
        var strayLegs = legs.Where(g => !byId.ContainsKey(g.Key)).SelectMany(g => g).ToList();
        Rule("every transfer leg belongs to a requested transfer", strayLegs.Count == 0, string.Join("; ", strayLegs.Take(5)));
    }

    /// <summary>The balances projection against the funding, the client's answers and the journal.</summary>
    private void CheckBalances(
        IReadOnlyList<(PlannedDeposit Deposit, RequestOutcome Outcome)> deposits,
        IReadOnlyList<(PlannedTransfer Transfer, RequestOutcome Outcome)> transfers,
        List<JournalRecord> records,
        List<BalanceRow> balances)
    {
        // What every account must hold, from the client's point of view: its funding, plus what completed transfers brought, minus what they took.
        var expected = new Dictionary<(string Account, string Asset), decimal>();
        foreach (var (d, _) in deposits)
        {
            expected[(d.AccountId, d.Asset)] = expected.GetValueOrDefault((d.AccountId, d.Asset)) + d.Amount;
        }
        foreach (var (t, _) in transfers.Where(t => t.Outcome.Status == 200))
        {
            expected[(t.From, t.Asset)] = expected.GetValueOrDefault((t.From, t.Asset)) - t.Amount;
            expected[(t.To, t.Asset)] = expected.GetValueOrDefault((t.To, t.Asset)) + t.Amount;
        }

        var funded = deposits.GroupBy(d => d.Deposit.Asset).ToDictionary(g => g.Key, g => g.Sum(d => d.Deposit.Amount), StringComparer.Ordinal);
        BalanceTotals = balances.GroupBy(b => b.Asset).ToDictionary(g => g.Key, g => g.Sum(b => b.Available + b.Frozen), StringComparer.Ordinal);
        foreach (var asset in funded.Keys.Union(BalanceTotals.Keys).Order(StringComparer.Ordinal))
        {
            Rule("the total of every asset (available + frozen over all accounts) equals what was funded",
                BalanceTotals.GetValueOrDefault(asset) == funded.GetValueOrDefault(asset),
                $"{asset}: balances hold {BalanceTotals.GetValueOrDefault(asset)}, funded {funded.GetValueOrDefault(asset)}");
        }
        foreach (var b in balances)
        {
            Rule("no balance is negative", b.Available >= 0m && b.Frozen >= 0m, $"{b.AccountId}/{b.Asset}: available {b.Available}, frozen {b.Frozen}");
            Rule("nothing is frozen", b.Frozen == 0m, $"{b.AccountId}/{b.Asset}: frozen {b.Frozen}");
        }

        var rows = balances.ToDictionary(b => (b.AccountId, b.Asset));
        var events = records.Where(r => !r.IsRefusal).ToList();
        var journalBalance = events.GroupBy(e => (e.EntityId, e.Asset!)).ToDictionary(g => g.Key, g => g.Sum(e => e.DeltaAvailable));
        var lastEvent = events.GroupBy(e => (e.EntityId, e.Asset!)).ToDictionary(g => g.Key, g => g.Max(e => e.SeqNr));
        foreach (var key in expected.Keys.Union(rows.Keys).Union(journalBalance.Keys).OrderBy(k => k.Item1, StringComparer.Ordinal).ThenBy(k => k.Item2, StringComparer.Ordinal))
        {
            rows.TryGetValue(key, out var row);
            var available = row?.Available ?? 0m;
            var frozen = row?.Frozen ?? 0m;
            var name = $"{key.Item1}/{key.Item2}";
            Rule("every account's balance equals its funding plus completed transfers in minus completed transfers out",
                row is not null && available + frozen == expected.GetValueOrDefault(key),
                $"{name}: balances {(row is null ? "missing" : $"{available} + {frozen} frozen")}, expected {expected.GetValueOrDefault(key)}");
            Rule("every account's balance equals its journal", row is not null && available == journalBalance.GetValueOrDefault(key),
                $"{name}: balances {(row is null ? "missing" : available)}, journal {journalBalance.GetValueOrDefault(key)}");
            Rule("the balances row is as of the asset's last event", row is not null && row.SeqNr == lastEvent.GetValueOrDefault(key),
                $"{name}: balances at #{row?.SeqNr.ToString(CultureInfo.InvariantCulture) ?? "missing"}, the asset's last event is #{lastEvent.GetValueOrDefault(key)}");
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

    private static async Task<Dictionary<string, TransferRow>> ReadTransferRowsAsync(NpgsqlConnection conn, NpgsqlTransaction tx)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT transfer_id, from_account, to_account, asset, amount, status, reason, seq_nr FROM transfer_status", conn, tx);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new Dictionary<string, TransferRow>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            rows[reader.GetString(0)] = new TransferRow(reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetDecimal(4),
                reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetInt64(7));
        }
        return rows;
    }

    private sealed record TransferRow(string From, string To, string Asset, decimal Amount, string Status, string? Reason, long SeqNr);
}
