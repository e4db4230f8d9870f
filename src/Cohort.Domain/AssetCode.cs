namespace Cohort.Domain;

/// <summary>An asset or currency code: 1 to 16 characters of A-Z and 0-9 ("USDT", "BTC", "EUR").</summary>
public static class AssetCode
{
    public const int MaxLength = 16;

    public static bool IsValid(string? code)
    {
        if (string.IsNullOrEmpty(code) || code.Length > MaxLength)
        {
            return false;
        }
        foreach (var c in code)
        {
            if (c is not (>= 'A' and <= 'Z' or >= '0' and <= '9'))
            {
                return false;
            }
        }
        return true;
    }
}
