namespace Cohort.Domain.Tests;

public class AmountNormalizeTests
{
    [Theory]
    [InlineData("10.50", "10.5")]
    [InlineData("10.000", "10")]
    [InlineData("0.000000000000000100", "0.0000000000000001")]
    [InlineData("9999999999.999999999999999999", "9999999999.999999999999999999")]
    public void Normalize_drops_trailing_fractional_zeros_and_keeps_the_value(string text, string expected)
    {
        var value = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

        var normalized = Amount.Normalize(value);

        Assert.Equal(expected, Amount.Format(normalized));
        Assert.Equal(value, normalized);
    }
}
