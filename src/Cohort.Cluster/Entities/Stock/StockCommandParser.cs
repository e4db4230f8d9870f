using System.Text.Json;
using Cohort.Cluster.Persistence;
using Cohort.Domain;
using Cohort.Domain.Stock;

namespace Cohort.Cluster.Entities.Stock;

/// <summary>
/// Reads <c>{"type":"reserve","requestId":"r-1","sku":"mug-1","orderId":"o-1","quantity":2}</c> from Kafka, and the
/// same fields of an HTTP body whose type and SKU come from its route. Types: restock (name, price, asset, addStock,
/// category?), change (name?, price?, category?: one at least), reserve (orderId, quantity), confirm and release
/// (orderId). Prices must be decimal strings, as amounts everywhere; units are whole JSON numbers.
/// </summary>
public static class StockCommandParser
{
    public const string Types = "restock, change, reserve, confirm, release";

    /// <summary>Stands for an absent text in a request hash: no valid text holds a control character.</summary>
    private const string Absent = "\0";

    public static Parsed<StockCommandEnvelope> Parse(ReadOnlySpan<byte> json) => CommandJson.Parse(json, body =>
        Text(body, "type", out var type) is not null || Text(body, "sku", out var sku) is not null
            ? Parsed<StockCommandEnvelope>.Invalid("type and sku must be strings")
            : Read(body, type, sku));

    /// <summary>A command of <paramref name="type"/> for <paramref name="sku"/> from the other fields of <paramref name="body"/>.</summary>
    public static Parsed<StockCommandEnvelope> Read(JsonElement body, string? type, string? sku)
    {
        if (Text(body, "requestId", out var requestId) is not null || !Identifier.IsValid(requestId))
        {
            return Parsed<StockCommandEnvelope>.Invalid($"requestId is required: 1-{Identifier.MaxLength} characters of letters, digits and -_.:@");
        }
        if (!Identifier.IsValid(sku))
        {
            return Parsed<StockCommandEnvelope>.Invalid($"sku is required: 1-{Identifier.MaxLength} characters of letters, digits and -_.:@");
        }
        var command = type switch
        {
            "restock" => ReadRestock(body),
            "change" => ReadChange(body),
            "reserve" => ReadReserve(body),
            "confirm" => ReadOrderId(body, out var orderId) is { } e ? Fail(e) : (new Confirm(orderId!), null),
            "release" => ReadOrderId(body, out var orderId) is { } e ? Fail(e) : (new Release(orderId!), null),
            _ => Fail($"type '{type}' is not a stock command ({Types})"),
        };
        return command.Command is { } valid
            ? Parsed<StockCommandEnvelope>.Valid(Envelope(sku!, requestId!, valid))
            : Parsed<StockCommandEnvelope>.Invalid(command.Error!);
    }

    /// <summary>A command for a product, its request id's hash taken from what it means, not how it was written.</summary>
    public static StockCommandEnvelope Envelope(string sku, string requestId, StockCommand command)
    {
        var meaning = command switch
        {
            Restock c => $"{c.Name}\n{Price(c.Price)}\n{c.Asset}\n{c.AddStock}\n{c.Category ?? Absent}",
            ChangeDetails c => $"{c.Name ?? Absent}\n{(c.Price is { } p ? Price(p) : Absent)}\n{c.Category ?? Absent}",
            Reserve c => $"{c.OrderId}\n{c.Quantity}",
            Confirm c => c.OrderId,
            Release c => c.OrderId,
            _ => throw new ArgumentOutOfRangeException(nameof(command), command, "unknown stock command"),
        };
        return new StockCommandEnvelope(sku, requestId, RequestHash.Of($"{TypeOf(command)}\n{sku}\n{meaning}"), command);
    }

    public static string TypeOf(StockCommand command) => command switch
    {
        Restock => "restock",
        ChangeDetails => "change",
        Reserve => "reserve",
        Confirm => "confirm",
        Release => "release",
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, "unknown stock command"),
    };

    private static (StockCommand? Command, string? Error) ReadRestock(JsonElement body)
    {
        var nameError = Text(body, "name", out var name);
        if (nameError is not null || !ProductRules.IsValidName(name))
        {
            return Fail(nameError ?? ProductRules.NameRule);
        }
        var priceError = ReadPrice(body, out var price);
        if (priceError is not null || price is null)
        {
            return Fail(priceError ?? "price is required, as a decimal string such as \"10.50\"");
        }
        var assetError = Text(body, "asset", out var asset);
        if (assetError is not null || !AssetCode.IsValid(asset))
        {
            return Fail(assetError ?? $"asset must be 1-{AssetCode.MaxLength} characters of A-Z and 0-9");
        }
        var unitsError = Units(body, "addStock", out var addStock);
        if (unitsError is not null || addStock is not (>= 0 and <= ProductRules.MaxUnits))
        {
            return Fail(unitsError ?? $"addStock is required: a whole number of units, 0-{ProductRules.MaxUnits}");
        }
        if (ReadCategory(body, out var category) is { } categoryError)
        {
            return Fail(categoryError);
        }
        return (new Restock(name!, price.Value, asset!, addStock.Value, category), null);
    }

    private static (StockCommand? Command, string? Error) ReadChange(JsonElement body)
    {
        var nameError = Text(body, "name", out var name);
        if (nameError is not null || (name is not null && !ProductRules.IsValidName(name)))
        {
            return Fail(nameError ?? ProductRules.NameRule);
        }
        if (ReadPrice(body, out var price) is { } priceError)
        {
            return Fail(priceError);
        }
        if (ReadCategory(body, out var category) is { } categoryError)
        {
            return Fail(categoryError);
        }
        return name is null && price is null && category is null
            ? Fail("give at least one of name, price and category")
            : (new ChangeDetails(name, price, category), null);
    }

    private static (StockCommand? Command, string? Error) ReadReserve(JsonElement body)
    {
        if (ReadOrderId(body, out var orderId) is { } error)
        {
            return Fail(error);
        }
        var unitsError = Units(body, "quantity", out var quantity);
        if (unitsError is not null || quantity is not (> 0 and <= ProductRules.MaxUnits))
        {
            return Fail(unitsError ?? $"quantity is required: a whole number of units, 1-{ProductRules.MaxUnits}");
        }
        return (new Reserve(orderId!, quantity.Value), null);
    }

    private static string? ReadOrderId(JsonElement body, out string? orderId) =>
        Text(body, "orderId", out orderId) is not null || !Identifier.IsValid(orderId)
            ? $"orderId is required: 1-{Identifier.MaxLength} characters of letters, digits and -_.:@"
            : null;

    private static string? ReadPrice(JsonElement body, out decimal? price)
    {
        price = null;
        if (Text(body, "price", out var text) is not null)
        {
            return "price must be a decimal string such as \"10.50\"";
        }
        if (text is null)
        {
            return null;
        }
        if (!Amount.TryParsePositive(text, Amount.MaxBalance, out var parsed, out var error))
        {
            return error.Replace("amount", "price", StringComparison.Ordinal);
        }
        price = parsed;
        return null;
    }

    private static string? ReadCategory(JsonElement body, out string? category) =>
        Text(body, "category", out category) is not null || (category is not null && !ProductRules.IsValidCategory(category))
            ? ProductRules.CategoryRule
            : null;

    /// <summary>A string property; absent and null read as null. Returns an error when it is anything else.</summary>
    private static string? Text(JsonElement body, string name, out string? value)
    {
        value = null;
        if (!body.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (property.ValueKind != JsonValueKind.String)
        {
            return $"{name} must be a string";
        }
        value = property.GetString();
        return null;
    }

    /// <summary>A whole-number property; absent and null read as null. Returns an error when it is anything else.</summary>
    private static string? Units(JsonElement body, string name, out long? value)
    {
        value = null;
        if (!body.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (property.ValueKind != JsonValueKind.Number || !property.TryGetInt64(out var units))
        {
            return $"{name} must be a whole JSON number";
        }
        value = units;
        return null;
    }

    private static string Price(decimal price) => Amount.Format(Amount.Normalize(price));

    private static (StockCommand? Command, string? Error) Fail(string error) => (null, error);
}
