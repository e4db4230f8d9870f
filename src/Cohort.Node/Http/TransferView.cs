using System.Buffers;
using System.Text;
using System.Text.Json;
using Cohort.Domain.Transfers;
using Cohort.Runtime.Transfers;
using Npgsql;

namespace Cohort.Node.Http;

/// <summary>A transfer as the <c>transfers</c> read model shows it, with the JSON the API answers for it.</summary>
internal sealed record TransferView(string RequestId, string Status, string? Reason, string Json)
{
    /// <summary>The columns <see cref="FromRow"/> reads, in its order.</summary>
    public const string Columns = "transfer_id, from_account, to_account, asset, amount, status, reason";

    public static TransferView FromRow(NpgsqlDataReader row)
    {
        var requestId = row.GetString(0);
        var terms = new TransferTerms(row.GetString(1), row.GetString(2), row.GetString(3), row.GetDecimal(4));
        var status = row.GetString(5);
        var reason = row.IsDBNull(6) ? null : row.GetString(6);
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            TransferEntityType.WriteTransfer(w, requestId, terms, status, reason);
        }
        return new TransferView(requestId, status, reason, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
