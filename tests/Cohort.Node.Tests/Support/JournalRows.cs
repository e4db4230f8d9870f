using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Npgsql;

namespace Cohort.Node.Tests.Support;

/// <summary>
/// One row of <c>event_journal</c> as the tests read it: whose (<c>account|alice</c>), its number, what it records
/// (the event named by its manifest, <c>account.deposited.v1</c> → <c>deposited</c>, or <c>refused</c>), and the fields
/// of its JSON payload.
/// </summary>
internal sealed record JournalRecord(
    string EntityId, long SeqNr, long Ordering, string Kind, string RequestId, string? Asset, decimal? Amount, decimal? Available, decimal? Frozen,
    string? TransferId, string? Counterparty, string? From, string? To, string? Code, string? Message, string? Reason)
{
    public bool IsRefusal => Kind == "refused";

    /// <summary>What an account event adds to its asset's available balance.</summary>
    public decimal DeltaAvailable => Kind switch
    {
        "deposited" or "transferCredited" or "transferRefunded" or "unfrozen" => Amount!.Value,
        "withdrawn" or "transferDebited" or "frozen" => -Amount!.Value,
        _ => 0m,
    };

    public override string ToString() => $"{EntityId}#{SeqNr} {Kind} {Amount} {Asset} req {RequestId}";
}

/// <summary>Reads the journal and the projections the way an auditor would: straight from PostgreSQL.</summary>
internal static class JournalRows
{
    public static async Task<List<JournalRecord>> ReadAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string entityType)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT substr(persistence_id, length($1) + 2), sequence_number, ordering, manifest, convert_from(message, 'UTF8')
              FROM event_journal WHERE starts_with(persistence_id, $1 || '|') ORDER BY persistence_id, sequence_number
            """, conn, tx);
        cmd.Parameters.AddWithValue(entityType);
        await using var reader = await cmd.ExecuteReaderAsync();
        var list = new List<JournalRecord>();
        while (await reader.ReadAsync())
        {
            using var doc = JsonDocument.Parse(reader.GetString(4));
            var p = doc.RootElement;
            var manifest = reader.GetString(3);
            var kind = manifest == "refused.v1" ? "refused" : manifest.Split('.')[1];
            list.Add(new JournalRecord(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), kind, Text(p, "requestId")!,
                Text(p, "asset"), Number(p, "amount"), Number(p, "available"), Number(p, "frozen"), Text(p, "transferId"), Text(p, "counterparty"),
                Text(p, "from"), Text(p, "to"), Text(p, "code"), Text(p, "message"), Text(p, "reason")));
        }
        return list;
    }

    /// <summary>Waits until the reporting projection has handled every journal record written so far.</summary>
    public static async Task WaitForProjectionAsync(string connectionString, TimeSpan timeout)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var end = new NpgsqlCommand("SELECT coalesce(max(ordering), 0) FROM event_journal", conn);
        var target = (long)(await end.ExecuteScalarAsync())!;
        var clock = Stopwatch.StartNew();
        long reached = 0;
        while (clock.Elapsed < timeout)
        {
            await using var offset = new NpgsqlCommand("SELECT coalesce(max(ordering), 0) FROM projection_offsets WHERE projection = 'reporting'", conn);
            reached = (long)(await offset.ExecuteScalarAsync())!;
            if (reached >= target)
            {
                return;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"the reporting projection reached ordering {reached} of {target} within {timeout.TotalSeconds:0} s");
    }

    public static async Task<List<BalanceRow>> ReadBalancesAsync(NpgsqlConnection conn, NpgsqlTransaction? tx)
    {
        await using var cmd = new NpgsqlCommand("SELECT account_id, asset, available, frozen, seq_nr FROM balances", conn, tx);
        await using var reader = await cmd.ExecuteReaderAsync();
        var list = new List<BalanceRow>();
        while (await reader.ReadAsync())
        {
            list.Add(new BalanceRow(reader.GetString(0), reader.GetString(1), reader.GetDecimal(2), reader.GetDecimal(3), reader.GetInt64(4)));
        }
        return list;
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static decimal? Number(JsonElement e, string name) =>
        Text(e, name) is { } text ? decimal.Parse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : null;
}

/// <summary>A row of the reporting projection's <c>balances</c>.</summary>
internal sealed record BalanceRow(string AccountId, string Asset, decimal Available, decimal Frozen, long SeqNr);
