using System.Text.Json;
using Npgsql;

namespace Cohort.Cluster.Tests.Support;

/// <summary>One journal row as PostgreSQL holds it, its payload (Cohort's JSON) read back by the database itself.</summary>
public sealed record JournalRow(long Ordering, string PersistenceId, long SeqNr, string Manifest, int Serializer, JsonElement Payload)
{
    public string Text(string property) => Payload.GetProperty(property).GetString()!;

    /// <summary>Every row of these persistence ids, in sequence order per id.</summary>
    public static async Task<IReadOnlyList<JournalRow>> ReadAsync(NpgsqlDataSource db, IReadOnlyCollection<string> persistenceIds)
    {
        await using var cmd = db.CreateCommand("""
            SELECT ordering, persistence_id, sequence_number, manifest, identifier, convert_from(message, 'UTF8')::jsonb::text
              FROM event_journal WHERE persistence_id = ANY($1) AND NOT deleted ORDER BY persistence_id, sequence_number
            """);
        cmd.Parameters.AddWithValue(persistenceIds.ToArray());
        var rows = new List<JournalRow>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            using var doc = JsonDocument.Parse(reader.GetString(5));
            rows.Add(new JournalRow(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetInt32(4),
                doc.RootElement.Clone()));
        }
        return rows;
    }
}
