using Npgsql;

namespace Cohort.Node.Signing;

/// <summary>
/// The nonces of accepted signed requests, in PostgreSQL so that every node sees them: a request replayed to
/// another node than the one that first took it is refused as well.
/// </summary>
internal sealed class NonceStore(NpgsqlDataSource dataSource)
{
    /// <returns>false when the nonce was already used under this key, on any node.</returns>
    public async Task<bool> TryRecordAsync(string keyId, string nonce, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            "INSERT INTO request_nonces (key_id, nonce) VALUES ($1, $2) ON CONFLICT DO NOTHING");
        cmd.Parameters.AddWithValue(keyId);
        cmd.Parameters.AddWithValue(nonce);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Deletes at most <paramref name="limit"/> nonces seen before <paramref name="age"/> ago, by the database's clock.</summary>
    /// <returns>How many were deleted.</returns>
    public async Task<int> PruneAsync(TimeSpan age, int limit, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            DELETE FROM request_nonces WHERE ctid = ANY (ARRAY(
                SELECT ctid FROM request_nonces WHERE seen_at < now() - $1 LIMIT $2))
            """);
        cmd.Parameters.AddWithValue(age);
        cmd.Parameters.AddWithValue(limit);
        return await cmd.ExecuteNonQueryAsync(ct);
    }
}
