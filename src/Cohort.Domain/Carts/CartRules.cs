namespace Cohort.Domain.Carts;

/// <summary>The limits of a cart's lines, shared by the parsers and the domain so that both say the same.</summary>
public static class CartRules
{
    public const int MaxLines = 100;

    public const long MaxQuantity = 10_000;

    public static readonly string SkuRule = $"every line's sku must be 1-{Identifier.MaxLength} characters of letters, digits and -_.:@";

    public static readonly string QuantityRule =
        $"every line's quantity must be a whole number from 1 to {MaxQuantity}: a quantity of 0 is not a line; leave the sku out to drop it";

    public static readonly string LinesRule = $"a cart holds at most {MaxLines} lines";

    public static bool IsValidQuantity(long quantity) => quantity is >= 1 and <= MaxQuantity;

    /// <summary>Why these lines cannot be a cart, or null when they can.</summary>
    public static string? Invalid(IReadOnlyList<CartLine> lines)
    {
        if (lines.Count > MaxLines)
        {
            return $"{LinesRule}; {lines.Count} given";
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            if (!Identifier.IsValid(line.Sku))
            {
                return SkuRule;
            }
            if (!IsValidQuantity(line.Quantity))
            {
                return $"{QuantityRule}; sku '{line.Sku}' has {line.Quantity}";
            }
            if (!seen.Add(line.Sku))
            {
                return $"sku '{line.Sku}' is on two lines: give each sku once, with its whole quantity";
            }
        }
        return null;
    }
}
