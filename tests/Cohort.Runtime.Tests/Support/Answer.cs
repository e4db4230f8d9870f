using System.Text.Json;

namespace Cohort.Runtime.Tests.Support;

/// <summary>A command result as the owner answered it.</summary>
internal sealed record Answer(bool Ok, string? Code, JsonElement Body)
{
    public static Answer Parse(string json)
    {
        var root = JsonDocument.Parse(json).RootElement;
        var ok = root.GetProperty("ok").GetBoolean();
        return new Answer(ok, ok ? null : root.GetProperty("code").GetString(), ok ? root.GetProperty("body") : root);
    }

    public string Available => Body.GetProperty("available").GetString()!;

    public long SeqNr => Body.GetProperty("seqNr").GetInt64();
}
