using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cohort.Domain;

namespace Cohort.Cluster.Persistence;

/// <summary>Small helpers shared by the JSON forms: amounts as decimal strings, as everywhere in Cohort.</summary>
public static class Json
{
    /// <summary>Options of wire-only messages: camelCase, numbers (decimals above all) as strings.</summary>
    public static readonly JsonSerializerOptions Wire = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.WriteAsString,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static void WriteAmount(this Utf8JsonWriter w, string name, decimal value) => w.WriteString(name, Amount.Format(value));

    public static string String(this JsonElement e, string name) =>
        e.GetProperty(name).GetString() ?? throw new InvalidDataException($"'{name}' is null");

    public static string? OptionalString(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static decimal Decimal(this JsonElement e, string name) =>
        decimal.Parse(e.String(name), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    public static long Long(this JsonElement e, string name) => e.GetProperty(name).GetInt64();

    public static DateTime Time(this JsonElement e, string name) => e.GetProperty(name).GetDateTime().ToUniversalTime();
}
