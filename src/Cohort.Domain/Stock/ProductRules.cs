namespace Cohort.Domain.Stock;

/// <summary>The limits of a product's details and units.</summary>
public static class ProductRules
{
    public const int MaxNameLength = 200;

    public const int MaxCategoryLength = 100;

    /// <summary>Units ever added to one product, at most: far from <see cref="long.MaxValue"/>, so no sum of units overflows.</summary>
    public const long MaxUnits = 1_000_000_000_000;

    public static bool IsValidName(string? name) => IsText(name, MaxNameLength);

    public static bool IsValidCategory(string? category) => IsText(category, MaxCategoryLength);

    public static bool IsValidPrice(decimal price) =>
        price > 0m && price <= Amount.MaxBalance && price.Scale <= Amount.MaxFractionalDigits;

    public static readonly string NameRule = $"name must be 1-{MaxNameLength} characters, without control characters or leading or trailing spaces";

    public static readonly string CategoryRule = $"category must be 1-{MaxCategoryLength} characters, without control characters or leading or trailing spaces";

    public static readonly string PriceRule = $"price must be positive, at most {Amount.Format(Amount.MaxBalance)}, with at most {Amount.MaxFractionalDigits} fractional digits";

    /// <summary>No control characters: a command's request hash joins its texts with line breaks, which must stay unambiguous.</summary>
    private static bool IsText(string? text, int maxLength) =>
        !string.IsNullOrWhiteSpace(text) && text.Length <= maxLength && text.Trim().Length == text.Length && !text.Any(char.IsControl);
}
