using System.Text.Json;
using Cohort.Cluster.Persistence;
using Cohort.Domain;
using Cohort.Domain.Carts;

namespace Cohort.Cluster.Entities.Carts;

/// <summary>
/// Reads <c>{"type":"set","requestId":"r-1","accountId":"alice","lines":[{"sku":"mug-1","quantity":2}]}</c> from
/// Kafka, and the same fields of an HTTP request whose type and account come from its route. Types: set (lines, every
/// one replaced), clear, checkout (its request id makes the order ids). Quantities are whole JSON numbers.
/// </summary>
public static class CartCommandParser
{
    public const string Types = "set, clear, checkout";

    public static readonly string RequestIdRule = $"requestId is required: 1-{Identifier.MaxLength} characters of letters, digits and -_.:@";

    public static readonly string AccountIdRule = $"accountId is required: 1-{Identifier.MaxLength} characters of letters, digits and -_.:@";

    public static Parsed<CartCommandEnvelope> Parse(ReadOnlySpan<byte> json) => CommandJson.Parse(json, body =>
        Text(body, "type", out var type) is not null || Text(body, "accountId", out var accountId) is not null
            ? Parsed<CartCommandEnvelope>.Invalid("type and accountId must be strings")
            : Read(body, type, accountId));

    /// <summary>A command of <paramref name="type"/> for the cart of <paramref name="accountId"/> from the other fields of <paramref name="body"/>.</summary>
    public static Parsed<CartCommandEnvelope> Read(JsonElement body, string? type, string? accountId)
    {
        if (Text(body, "requestId", out var requestId) is not null || !Identifier.IsValid(requestId))
        {
            return Parsed<CartCommandEnvelope>.Invalid(RequestIdRule);
        }
        if (!Identifier.IsValid(accountId))
        {
            return Parsed<CartCommandEnvelope>.Invalid(AccountIdRule);
        }
        var command = type switch
        {
            "set" => ReadLines(body),
            "clear" => (new ClearCart(), null),
            "checkout" => (new CheckOut(requestId!), null),
            _ => Fail($"type '{type}' is not a cart command ({Types})"),
        };
        return command.Command is { } valid
            ? Parsed<CartCommandEnvelope>.Valid(Envelope(accountId!, requestId!, valid))
            : Parsed<CartCommandEnvelope>.Invalid(command.Error!);
    }

    /// <summary>Empties a cart: for a request that carries its request id outside a JSON body (a DELETE's query).</summary>
    public static Parsed<CartCommandEnvelope> Clear(string? accountId, string? requestId) =>
        !Identifier.IsValid(requestId) ? Parsed<CartCommandEnvelope>.Invalid(RequestIdRule)
        : !Identifier.IsValid(accountId) ? Parsed<CartCommandEnvelope>.Invalid(AccountIdRule)
        : Parsed<CartCommandEnvelope>.Valid(Envelope(accountId!, requestId!, new ClearCart()));

    /// <summary>
    /// A command for a cart, its request id's hash taken from what it means, not how it was written: the same lines
    /// in another order are the same cart.
    /// </summary>
    public static CartCommandEnvelope Envelope(string accountId, string requestId, CartCommand command)
    {
        var meaning = command switch
        {
            SetCart c => string.Join("\n", c.Lines.OrderBy(l => l.Sku, StringComparer.Ordinal).ThenBy(l => l.Quantity).Select(l => $"{l.Sku}={l.Quantity}")),
            ClearCart => "",
            CheckOut c when c.CheckoutId == requestId => "",
            CheckOut c => throw new ArgumentException($"checkout '{c.CheckoutId}' must be sent under its own id as request id, not '{requestId}'", nameof(command)),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command, "unknown cart command"),
        };
        return new CartCommandEnvelope(accountId, requestId, RequestHash.Of($"{TypeOf(command)}\n{accountId}\n{meaning}"), command);
    }

    public static string TypeOf(CartCommand command) => command switch
    {
        SetCart => "set",
        ClearCart => "clear",
        CheckOut => "checkout",
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, "unknown cart command"),
    };

    private static (CartCommand? Command, string? Error) ReadLines(JsonElement body)
    {
        if (!body.TryGetProperty("lines", out var given) || given.ValueKind != JsonValueKind.Array)
        {
            return Fail("lines is required: an array of {\"sku\",\"quantity\"}, [] for an empty cart");
        }
        if (given.GetArrayLength() > CartRules.MaxLines)
        {
            return Fail($"{CartRules.LinesRule}; {given.GetArrayLength()} given");
        }
        var lines = new List<CartLine>(given.GetArrayLength());
        foreach (var line in given.EnumerateArray())
        {
            if (line.ValueKind != JsonValueKind.Object)
            {
                return Fail("every line must be an object {\"sku\",\"quantity\"}");
            }
            if (Text(line, "sku", out var sku) is not null || sku is null)
            {
                return Fail(CartRules.SkuRule);
            }
            if (!line.TryGetProperty("quantity", out var quantity) || quantity.ValueKind != JsonValueKind.Number || !quantity.TryGetInt64(out var units))
            {
                return Fail($"every line's quantity must be a whole JSON number; sku '{sku}' has none");
            }
            lines.Add(new CartLine(sku, units));
        }
        return CartRules.Invalid(lines) is { } error ? Fail(error) : (new SetCart(new ValueList<CartLine>(lines)), null);
    }

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

    private static (CartCommand? Command, string? Error) Fail(string error) => (null, error);
}
