using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Cohort.Node.Tests.Support;

/// <summary>
/// Compares what a transfer client was told with what PostgreSQL holds: the transfers read model, the journal of
/// transfers and accounts, the stored request results, account_balances and the ledger. Each rule lists its
/// violations; a correct run has none.
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

    public int LedgerEntries { get; private set; }

    public int Completed { get; private set; }

    public int Rejected { get; private set; }

    public int Refunded { get; private set; }

    public IReadOnlyDictionary<string, decimal> BalanceTotals { get; private set; } = new Dictionary<string, decimal>();

    public IReadOnlyDictionary<string, List<string>> Violations => violations;

    public bool Passed => violations.Count == 0;

    public static async Task<TransferCheck> RunAsync(
        string connectionString,
        IReadOnlyList<(PlannedDeposit Deposit, RequestOutcome Outcome)> deposits,
        IReadOnlyList<(PlannedTransfer Transfer, RequestOutcome Outcome)> transfers,
        IReadOnlySet<string> fullAccounts)
    {
        var check = new TransferCheck { fullAccounts = fullAccounts };
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        // One snapshot for every read, although nothing should be writing any more.
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        var rows = await ReadTransferRowsAsync(conn, tx);
        var transferEvents = await ReadEventsAsync(conn, tx, "transfer");
        var accountEvents = await ReadEventsAsync(conn, tx, "account");
        var results = await ReadResultsAsync(conn, tx);
        var balances = await ReadBalancesAsync(conn, tx);
        var ledger = await ReadLedgerAsync(conn, tx);
        await tx.CommitAsync();

        check.AccountEvents = accountEvents.Count;
        check.TransferEvents = transferEvents.Count;
        check.LedgerEntries = ledger.Count;
        check.CheckTransfers(transfers, rows, transferEvents, results);
        check.CheckAccountJournal(deposits, transfers, accountEvents, results);
        check.CheckBalances(deposits, transfers, accountEvents, balances, ledger);
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

    /// <summary>The transfers read model and the transfer journal against what the client was answered.</summary>
    private void CheckTransfers(
        IReadOnlyList<(PlannedTransfer Transfer, RequestOutcome Outcome)> transfers,
        Dictionary<string, TransferRow> rows,
        List<JournalEvent> events,
        List<StoredResult> results)
    {
        var eventsByTransfer = events.GroupBy(e => e.EntityId).ToDictionary(g => g.Key, g => g.OrderBy(e => e.SeqNr).ToList(), StringComparer.Ordinal);
        var startResults = results.Where(r => r.EntityType == "transfer").ToLookup(r => (r.EntityId, r.RequestId));
        foreach (var (t, outcome) in transfers)
        {
            var id = t.RequestId;
            Rule("every transfer got a definitive answer: 200, or 409", outcome.Status is 200 or 409,
                $"{t} ended with status {outcome.Status} code {outcome.Code ?? "-"} after {outcome.Attempts} attempts [{string.Join(" ", outcome.Retries)}]: {Shorten(outcome.Body)}");
            if (!rows.TryGetValue(id, out var row))
            {
                Rule("every transfer has a row in transfers", false, $"{t}: no row; answered {outcome.Status} {Shorten(outcome.Body)}");
                continue;
            }
            Rule("every transfer is completed or rejected in transfers", row.Status is "completed" or "rejected",
                $"{t}: status {row.Status}, reason {row.Reason ?? "-"}; answered {outcome.Status}");
            Rule("the transfers row has the request's terms", row.From == t.From && row.To == t.To && row.Asset == t.Asset && row.Amount == t.Amount,
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
            var list = eventsByTransfer.GetValueOrDefault(id) ?? [];
            for (var i = 0; i < list.Count; i++)
            {
                Rule("the journal of each transfer is numbered 1, 2, 3, ... without gaps", list[i].SeqNr == i + 1,
                    $"{id}: event #{i + 1} has seq_nr {list[i].SeqNr}");
            }
            var path = string.Join(",", list.Select(e => e.EventType));
            Rule("each transfer's journal is started,debitConfirmed,completed or started,rejected or started,debitConfirmed,creditRefused,rejected",
                path is "started,debitConfirmed,completed" or "started,rejected" or "started,debitConfirmed,creditRefused,rejected",
                $"{t}: {(path.Length == 0 ? "no events" : path)}");
            Rule("the transfers row is the transfer's last event", list.Count > 0 && row.SeqNr == list[^1].SeqNr
                && row.Status == (list[^1].EventType switch { "completed" => "completed", "rejected" => "rejected", _ => "pending" }),
                $"{t}: row {row.Status} at seq_nr {row.SeqNr}, journal {path}");
            Rule("the transfer's events carry its terms", list.All(e => e.Asset == t.Asset && e.Amount == t.Amount && e.From == t.From && e.To == t.To),
                $"{t}: {string.Join("; ", list.Select(e => $"{e.EventType} {e.From}->{e.To} {e.Amount} {e.Asset}"))}");
            Rule("each transfer has exactly one stored answer to its start", startResults[(id, id)].Count() == 1,
                $"{t}: {startResults[(id, id)].Count()} request results");
        }
        var requested = transfers.Select(t => t.Transfer.RequestId).ToHashSet(StringComparer.Ordinal);
        var strays = rows.Keys.Where(k => !requested.Contains(k)).Concat(eventsByTransfer.Keys.Where(k => !requested.Contains(k))).Distinct().ToList();
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

    /// <summary>The account journal: gapless, never negative, each deposit once, each transfer leg once and only where due.</summary>
    private void CheckAccountJournal(
        IReadOnlyList<(PlannedDeposit Deposit, RequestOutcome Outcome)> deposits,
        IReadOnlyList<(PlannedTransfer Transfer, RequestOutcome Outcome)> transfers,
        List<JournalEvent> events,
        List<StoredResult> results)
    {
        foreach (var (account, list) in events.GroupBy(e => e.EntityId).Select(g => (g.Key, g.OrderBy(e => e.SeqNr).ToList())))
        {
            var running = new Dictionary<string, decimal>(StringComparer.Ordinal);
            for (var i = 0; i < list.Count; i++)
            {
                var e = list[i];
                Rule("the journal of each account is numbered 1, 2, 3, ... without gaps", e.SeqNr == i + 1,
                    $"{account}: event #{i + 1} has seq_nr {e.SeqNr}");
                var delta = e.EventType switch
                {
                    "deposited" or "transferCredited" or "transferRefunded" => e.Amount,
                    "transferDebited" => -e.Amount,
                    _ => 0m,
                };
                Rule("the account journal holds only deposits and transfer legs",
                    e.EventType is "deposited" or "transferDebited" or "transferCredited" or "transferRefunded", $"{account}#{e.SeqNr} is {e.EventType}");
                running[e.Asset] = running.GetValueOrDefault(e.Asset) + delta;
                Rule("no balance ever goes negative in the journal", running[e.Asset] >= 0m,
                    $"{account} {e.Asset} is at {running[e.Asset]} after #{e.SeqNr} ({e.EventType} {e.RequestId})");
            }
        }

        // Each funding deposit exactly once, as acknowledged.
        var depositEvents = events.Where(e => e.EventType == "deposited").ToLookup(e => e.RequestId, StringComparer.Ordinal);
        foreach (var (d, outcome) in deposits)
        {
            Rule("every funding deposit was answered 200", outcome.Status == 200,
                $"{d.RequestId} on {d.AccountId}: {outcome.Status} {Shorten(outcome.Body)}");
            var found = depositEvents[d.RequestId].ToList();
            Rule("every funding deposit is in the journal exactly once, as sent",
                found.Count == 1 && found[0].EntityId == d.AccountId && found[0].Asset == d.Asset && found[0].Amount == d.Amount,
                $"{d.RequestId} ({d.AccountId} {d.AmountText} {d.Asset}): {string.Join("; ", found.Select(e => $"{e.EntityId}#{e.SeqNr} {e.Amount} {e.Asset}"))}");
        }
        var funded = deposits.Select(d => d.Deposit.RequestId).ToHashSet(StringComparer.Ordinal);
        var strayDeposits = events.Where(e => e.EventType == "deposited" && !funded.Contains(e.RequestId)).ToList();
        Rule("every deposit in the journal was sent by the client", strayDeposits.Count == 0,
            string.Join("; ", strayDeposits.Take(5).Select(e => $"{e.EntityId}#{e.SeqNr} {e.RequestId}")));

        // Each transfer's legs: completed = one debit on from + one credit on to; rejected = nothing, or a debit refunded.
        var legs = events.Where(e => e.TransferId is not null).ToLookup(e => e.TransferId!, StringComparer.Ordinal);
        var stepResults = results.Where(r => r.EntityType == "account").ToLookup(r => (r.EntityId, r.RequestId));
        var byId = transfers.ToDictionary(t => t.Transfer.RequestId, StringComparer.Ordinal);
        foreach (var (t, outcome) in transfers)
        {
            var mine = legs[t.RequestId].ToList();
            var debits = mine.Where(e => e.EventType == "transferDebited").ToList();
            var credits = mine.Where(e => e.EventType == "transferCredited").ToList();
            var refunds = mine.Where(e => e.EventType == "transferRefunded").ToList();
            var describe = $"{t} answered {outcome.Status} {outcome.Code}: " +
                (mine.Count == 0 ? "no legs" : string.Join("; ", mine.Select(e => $"{e.EventType} {e.EntityId}#{e.SeqNr} {e.Amount} {e.Asset} req {e.RequestId} cp {e.Counterparty}")));
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
                    Rule("a transfer rejected for insufficient funds never debited", debits.Count == 0, describe);
                }
                else if (outcome.Code == "balance_limit_exceeded")
                {
                    Rule("a transfer whose credit was refused was debited once and refunded once", debits.Count == 1 && refunds.Count == 1, describe);
                }
            }
            foreach (var leg in mine)
            {
                Rule("every transfer leg has exactly one stored result on its account", stepResults[(leg.EntityId, leg.RequestId)].Count() == 1,
                    $"{leg.EntityId} {leg.RequestId}: {stepResults[(leg.EntityId, leg.RequestId)].Count()} request results");
            }
        }
        var strayLegs = legs.Where(g => !byId.ContainsKey(g.Key)).SelectMany(g => g).ToList();
        Rule("every transfer leg belongs to a requested transfer", strayLegs.Count == 0,
            string.Join("; ", strayLegs.Take(5).Select(e => $"{e.EntityId}#{e.SeqNr} {e.EventType} {e.TransferId}")));
    }

    /// <summary>account_balances and the ledger against the funding, the client's answers and the journal.</summary>
    private void CheckBalances(
        IReadOnlyList<(PlannedDeposit Deposit, RequestOutcome Outcome)> deposits,
        IReadOnlyList<(PlannedTransfer Transfer, RequestOutcome Outcome)> transfers,
        List<JournalEvent> events,
        List<BalanceRow> balances,
        List<LedgerRow> ledger)
    {
        // What every account must hold, from the client's point of view: its funding, plus what completed transfers brought, minus what they took.
        var expected = new Dictionary<(string Account, string Asset), decimal>();
        foreach (var (d, _) in deposits)
        {
            expected[(d.AccountId, d.Asset)] = expected.GetValueOrDefault((d.AccountId, d.Asset)) + d.Amount;
        }
        foreach (var (t, outcome) in transfers.Where(t => t.Outcome.Status == 200))
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
                $"{asset}: account_balances hold {BalanceTotals.GetValueOrDefault(asset)}, funded {funded.GetValueOrDefault(asset)}");
        }
        foreach (var b in balances)
        {
            Rule("no balance is negative", b.Available >= 0m && b.Frozen >= 0m, $"{b.AccountId}/{b.Asset}: available {b.Available}, frozen {b.Frozen}");
            Rule("nothing is frozen", b.Frozen == 0m, $"{b.AccountId}/{b.Asset}: frozen {b.Frozen}");
        }

        var rows = balances.ToDictionary(b => (b.AccountId, b.Asset));
        var journalByAccount = events.GroupBy(e => e.EntityId).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var journalBalance = events.GroupBy(e => (e.EntityId, e.Asset)).ToDictionary(g => g.Key, g => g.Sum(e => e.EventType switch
        {
            "deposited" or "transferCredited" or "transferRefunded" => e.Amount,
            "transferDebited" => -e.Amount,
            _ => 0m,
        }));
        var ledgerBy = ledger.GroupBy(l => (l.AccountId, l.Asset)).ToDictionary(g => g.Key, g => g.OrderBy(l => l.SeqNr).ToList());
        foreach (var key in expected.Keys.Union(rows.Keys).Union(journalBalance.Keys).Union(ledgerBy.Keys).OrderBy(k => k.Item1, StringComparer.Ordinal).ThenBy(k => k.Item2, StringComparer.Ordinal))
        {
            var (account, asset) = key;
            rows.TryGetValue(key, out var row);
            var available = row?.Available ?? 0m;
            var frozen = row?.Frozen ?? 0m;
            var name = $"{account}/{asset}";
            Rule("every account's balance equals its funding plus completed transfers in minus completed transfers out",
                row is not null && available + frozen == expected.GetValueOrDefault(key),
                $"{name}: account_balances {(row is null ? "missing" : $"{available} + {frozen} frozen")}, expected {expected.GetValueOrDefault(key)}");
            Rule("every account's balance equals its journal", row is not null && available == journalBalance.GetValueOrDefault(key),
                $"{name}: account_balances {(row is null ? "missing" : available)}, journal {journalBalance.GetValueOrDefault(key)}");
            var lastSeqNr = journalByAccount.GetValueOrDefault(account)?.Max(e => e.SeqNr) ?? 0;
            Rule("account_balances is as of the account's last event", row is not null && row.SeqNr == lastSeqNr,
                $"{name}: account_balances at seq_nr {row?.SeqNr.ToString(CultureInfo.InvariantCulture) ?? "missing"}, the journal ends at {lastSeqNr}");

            var entries = ledgerBy.GetValueOrDefault(key) ?? [];
            Rule("the ledger of every account and asset sums to its balance",
                entries.Sum(l => l.DeltaAvailable) == available && entries.Sum(l => l.DeltaFrozen) == frozen,
                $"{name}: ledger sums to {entries.Sum(l => l.DeltaAvailable)} / {entries.Sum(l => l.DeltaFrozen)} frozen over {entries.Count} entries, balance {available} / {frozen}");
            Rule("the last ledger entry of every account and asset shows its balance",
                entries.Count > 0 && entries[^1].AvailableAfter == available && entries[^1].FrozenAfter == frozen,
                $"{name}: last entry {(entries.Count == 0 ? "none" : $"#{entries[^1].SeqNr} available_after {entries[^1].AvailableAfter} frozen_after {entries[^1].FrozenAfter}")}, balance {available} / {frozen}");
            var running = 0m;
            foreach (var l in entries)
            {
                running += l.DeltaAvailable;
                Rule("every ledger entry's available_after is the running sum of its deltas", l.AvailableAfter == running,
                    $"{name}#{l.SeqNr}: available_after {l.AvailableAfter}, running sum {running}");
            }
        }

        // One ledger entry per account event, with the event's asset, delta and request id.
        var ledgerByEvent = ledger.ToLookup(l => (l.AccountId, l.SeqNr));
        foreach (var e in events)
        {
            var found = ledgerByEvent[(e.EntityId, e.SeqNr)].ToList();
            var delta = e.EventType switch
            {
                "deposited" or "transferCredited" or "transferRefunded" => e.Amount,
                "transferDebited" => -e.Amount,
                _ => 0m,
            };
            Rule("every account event has exactly one ledger entry, with its asset, delta and request id",
                found.Count == 1 && found[0].Asset == e.Asset && found[0].DeltaAvailable == delta && found[0].DeltaFrozen == 0m && found[0].RequestId == e.RequestId,
                $"{e.EntityId}#{e.SeqNr} {e.EventType} {e.Amount} {e.Asset}: {string.Join("; ", found.Select(l => $"{l.Kind} {l.DeltaAvailable} {l.Asset} {l.RequestId}"))}");
        }
        Rule("the ledger has no entry without an account event", ledger.Count == events.Count,
            $"{ledger.Count} ledger entries, {events.Count} account events");
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

    private static decimal Decimal(string text) => decimal.Parse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);

    private static async Task<Dictionary<string, TransferRow>> ReadTransferRowsAsync(NpgsqlConnection conn, NpgsqlTransaction tx)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT transfer_id, from_account, to_account, asset, amount, status, reason, seq_nr FROM transfers", conn, tx);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new Dictionary<string, TransferRow>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            rows[reader.GetString(0)] = new TransferRow(reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetDecimal(4),
                reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetInt64(7));
        }
        return rows;
    }

    private static async Task<List<JournalEvent>> ReadEventsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string entityType)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT entity_id, seq_nr, event_type, payload->>'asset', payload->>'amount', request_id,
                   payload->>'transferId', payload->>'counterparty', payload->>'from', payload->>'to'
              FROM journal WHERE entity_type = $1 ORDER BY entity_id, seq_nr
            """, conn, tx);
        cmd.Parameters.AddWithValue(entityType);
        await using var reader = await cmd.ExecuteReaderAsync();
        var list = new List<JournalEvent>();
        while (await reader.ReadAsync())
        {
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            list.Add(new JournalEvent(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3),
                Decimal(reader.GetString(4)), reader.GetString(5), Text(6), Text(7), Text(8), Text(9)));
        }
        return list;
    }

    private static async Task<List<StoredResult>> ReadResultsAsync(NpgsqlConnection conn, NpgsqlTransaction tx)
    {
        await using var cmd = new NpgsqlCommand("SELECT entity_type, entity_id, request_id FROM request_results", conn, tx);
        await using var reader = await cmd.ExecuteReaderAsync();
        var list = new List<StoredResult>();
        while (await reader.ReadAsync())
        {
            list.Add(new StoredResult(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }
        return list;
    }

    private static async Task<List<BalanceRow>> ReadBalancesAsync(NpgsqlConnection conn, NpgsqlTransaction tx)
    {
        await using var cmd = new NpgsqlCommand("SELECT account_id, asset, available, frozen, seq_nr FROM account_balances", conn, tx);
        await using var reader = await cmd.ExecuteReaderAsync();
        var list = new List<BalanceRow>();
        while (await reader.ReadAsync())
        {
            list.Add(new BalanceRow(reader.GetString(0), reader.GetString(1), reader.GetDecimal(2), reader.GetDecimal(3), reader.GetInt64(4)));
        }
        return list;
    }

    private static async Task<List<LedgerRow>> ReadLedgerAsync(NpgsqlConnection conn, NpgsqlTransaction tx)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT account_id, asset, seq_nr, kind, delta_available, delta_frozen, available_after, frozen_after, request_id
              FROM ledger ORDER BY account_id, seq_nr
            """, conn, tx);
        await using var reader = await cmd.ExecuteReaderAsync();
        var list = new List<LedgerRow>();
        while (await reader.ReadAsync())
        {
            list.Add(new LedgerRow(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetDecimal(4),
                reader.GetDecimal(5), reader.GetDecimal(6), reader.GetDecimal(7), reader.GetString(8)));
        }
        return list;
    }

    private sealed record TransferRow(string From, string To, string Asset, decimal Amount, string Status, string? Reason, long SeqNr);

    /// <param name="TransferId">Account events of a transfer leg only.</param>
    /// <param name="From">Transfer events only.</param>
    private sealed record JournalEvent(
        string EntityId, long SeqNr, string EventType, string Asset, decimal Amount, string RequestId,
        string? TransferId, string? Counterparty, string? From, string? To);

    private sealed record StoredResult(string EntityType, string EntityId, string RequestId);

    private sealed record BalanceRow(string AccountId, string Asset, decimal Available, decimal Frozen, long SeqNr);

    private sealed record LedgerRow(
        string AccountId, string Asset, long SeqNr, string Kind, decimal DeltaAvailable, decimal DeltaFrozen,
        decimal AvailableAfter, decimal FrozenAfter, string RequestId);
}
