using System.Globalization;

namespace Cohort.Domain;

/// <summary>
/// Money and quantities are exact decimals, written as strings ("10.50"). The limits keep every balance inside
/// the 28 significant digits a <see cref="decimal"/> holds exactly: at most 18 fractional digits, and integer
/// parts below 10^10, so no arithmetic on a balance ever rounds.
/// </summary>
public static class Amount
{
    public const int MaxFractionalDigits = 18;

    /// <summary>The largest balance any asset of an account may hold.</summary>
    public static readonly decimal MaxBalance = 9_999_999_999.999999999999999999m;

    /// <summary>The default ceiling of a single command's amount; deployments may lower it.</summary>
    public static readonly decimal DefaultMaxAmount = 1_000_000_000m;

    /// <summary>
    /// Parses a plain positive decimal string: digits, at most one '.', no sign, no exponent, no spaces, no grouping.
    /// </summary>
    public static bool TryParsePositive(string? text, decimal max, out decimal amount, out string error)
    {
        amount = 0m;
        if (string.IsNullOrEmpty(text))
        {
            error = "amount is required, as a decimal string such as \"10.50\"";
            return false;
        }
        if (text.Length > 40)
        {
            error = "amount is too long";
            return false;
        }
        var dot = -1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '.' && dot < 0 && i > 0 && i < text.Length - 1)
            {
                dot = i;
            }
            else if (c is < '0' or > '9')
            {
                error = $"amount '{text}' is not a plain decimal number (digits with an optional '.', no sign or exponent)";
                return false;
            }
        }
        if (dot >= 0 && text.Length - dot - 1 > MaxFractionalDigits)
        {
            error = $"amount '{text}' has more than {MaxFractionalDigits} fractional digits";
            return false;
        }
        var integerDigits = (dot < 0 ? text.Length : dot) - CountLeadingZeros(text, dot);
        if (integerDigits > 10)
        {
            error = $"amount '{text}' exceeds the maximum of {max.ToString(CultureInfo.InvariantCulture)}";
            return false;
        }
        var parsed = decimal.Parse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        if (parsed <= 0m)
        {
            error = "amount must be greater than zero";
            return false;
        }
        if (parsed > max)
        {
            error = $"amount '{text}' exceeds the maximum of {max.ToString(CultureInfo.InvariantCulture)}";
            return false;
        }
        amount = parsed;
        error = "";
        return true;
    }

    /// <summary>The text of an amount in invariant culture, keeping its scale: 10.50 stays "10.50".</summary>
    public static string Format(decimal amount) => amount.ToString(CultureInfo.InvariantCulture);

    /// <summary>The same value without trailing fractional zeros: 10.50 becomes 10.5.</summary>
    public static decimal Normalize(decimal amount) => amount / 1.000000000000000000000000000000000m;

    private static int CountLeadingZeros(string text, int dot)
    {
        var end = dot < 0 ? text.Length : dot;
        var zeros = 0;
        while (zeros < end - 1 && text[zeros] == '0')
        {
            zeros++;
        }
        return zeros;
    }
}
