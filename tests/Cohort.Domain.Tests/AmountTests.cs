namespace Cohort.Domain.Tests;

public class AmountTests
{
    private const decimal Unit = 0.000000000000000001m;

    private static decimal ParseAccepted(string text, decimal max)
    {
        var ok = Amount.TryParsePositive(text, max, out var amount, out var error);

        Assert.True(ok, $"'{text}' was rejected: {error}");
        Assert.Equal("", error);
        return amount;
    }

    private static string ParseRejected(string? text, decimal max)
    {
        var ok = Amount.TryParsePositive(text, max, out var amount, out var error);

        Assert.False(ok, $"'{text}' was accepted as {amount}");
        Assert.Equal(0m, amount);
        Assert.False(string.IsNullOrWhiteSpace(error));
        return error;
    }

    [Theory]
    [InlineData("10.50", "10.50")]
    [InlineData("1", "1")]
    [InlineData("0.000000000000000001", "0.000000000000000001")] // 18 fractional digits
    [InlineData("1.000000000000000000", "1.000000000000000000")]
    [InlineData("0001.5", "1.5")]
    [InlineData("0.5", "0.5")]
    [InlineData("1000000000", "1000000000")]
    [InlineData("9999999999.999999999999999999", "9999999999.999999999999999999")]
    public void Accepts_plain_positive_decimals_keeping_their_scale(string text, string canonical)
    {
        var amount = ParseAccepted(text, Amount.MaxBalance);

        Assert.Equal(canonical, Amount.Format(amount));
    }

    [Fact]
    public void Accepts_exactly_the_max()
    {
        Assert.Equal(Amount.DefaultMaxAmount, ParseAccepted("1000000000", Amount.DefaultMaxAmount));
        Assert.Equal(Amount.DefaultMaxAmount, ParseAccepted("1000000000.000000000000000000", Amount.DefaultMaxAmount));
        Assert.Equal(Amount.MaxBalance, ParseAccepted("9999999999.999999999999999999", Amount.MaxBalance));
        Assert.Equal(7.25m, ParseAccepted("7.25", 7.25m));
    }

    [Fact]
    public void Rejects_the_max_plus_the_smallest_unit()
    {
        var error = ParseRejected("1000000000.000000000000000001", Amount.DefaultMaxAmount);
        Assert.Contains("maximum", error);

        ParseRejected("10000000000.000000000000000000", Amount.MaxBalance); // MaxBalance + 0.000000000000000001
        ParseRejected("7.250000000000000001", 7.25m);
    }

    [Theory]
    [InlineData("10000000000")]
    [InlineData("99999999999")]
    [InlineData("12345678901.5")]
    [InlineData("00012345678901")]
    public void Rejects_an_integer_part_of_11_digits_even_when_the_max_is_huge(string text)
    {
        ParseRejected(text, decimal.MaxValue);
    }

    [Fact]
    public void Rejects_19_fractional_digits()
    {
        var error = ParseRejected("0.0000000000000000001", Amount.MaxBalance);
        Assert.Contains("18", error);

        ParseRejected("1.0000000000000000000", Amount.MaxBalance);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("0.00")]
    [InlineData("0000")]
    [InlineData("0.000000000000000000")]
    public void Rejects_zero(string text)
    {
        Assert.Contains("greater than zero", ParseRejected(text, Amount.MaxBalance));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("1e5")]
    [InlineData("1E5")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("1,000")]
    [InlineData("1,5")]
    [InlineData(".5")]
    [InlineData("5.")]
    [InlineData(".")]
    [InlineData("1.2.3")]
    [InlineData("abc")]
    [InlineData("0x10")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("١")] // Arabic-Indic digit one
    [InlineData("１")] // full-width digit one
    [InlineData("1\n")]
    public void Rejects_anything_but_digits_with_one_inner_dot(string? text)
    {
        ParseRejected(text, Amount.MaxBalance);
    }

    [Fact]
    public void Rejects_very_long_strings()
    {
        ParseRejected(new string('9', 1_000), decimal.MaxValue);
        ParseRejected(new string('1', 100_000), decimal.MaxValue);
        ParseRejected("1." + new string('0', 100), decimal.MaxValue);
        ParseRejected(new string('0', 40) + "1", decimal.MaxValue); // 41 characters, although the value is 1
    }

    [Fact]
    public void Leading_zeros_are_accepted_up_to_40_characters()
    {
        Assert.Equal(1m, ParseAccepted(new string('0', 39) + "1", Amount.MaxBalance));
    }

    [Fact]
    public void Parsed_amounts_add_up_exactly()
    {
        var tenth = ParseAccepted("0.1", Amount.MaxBalance);

        var sum = 0m;
        for (var i = 0; i < 10; i++)
        {
            sum += tenth;
        }

        Assert.Equal(1m, sum);
        Assert.Equal("1.0", Amount.Format(sum));
    }

    [Fact]
    public void The_smallest_unit_added_to_the_largest_integer_part_is_exact()
    {
        var sum = ParseAccepted("9999999999", Amount.MaxBalance) + ParseAccepted("0.999999999999999999", Amount.MaxBalance);

        Assert.Equal(Amount.MaxBalance, sum);
        Assert.Equal(Amount.MaxBalance - Unit, sum - Unit);
        Assert.Equal("9999999999.999999999999999998", Amount.Format(sum - Unit));
    }

    [Theory]
    [InlineData("10.50")]
    [InlineData("1")]
    [InlineData("0.000000000000000001")]
    [InlineData("1.000000000000000000")]
    [InlineData("123456.7890")]
    [InlineData("9999999999.999999999999999999")]
    public void Format_round_trips_through_parse(string text)
    {
        var amount = ParseAccepted(text, Amount.MaxBalance);

        Assert.Equal(text, Amount.Format(amount));
        var again = ParseAccepted(Amount.Format(amount), Amount.MaxBalance);
        Assert.Equal(amount, again);
        Assert.Equal(amount.Scale, again.Scale);
    }

    [Fact]
    public void Format_never_uses_an_exponent_or_a_group_separator()
    {
        Assert.Equal("0.000000000000000001", Amount.Format(Unit));
        Assert.Equal("1000000000", Amount.Format(Amount.DefaultMaxAmount));
        Assert.Equal("-2.5", Amount.Format(-2.5m));
    }

    [Fact]
    public void Format_round_trips_random_amounts_of_every_scale()
    {
        var random = new Random(20240601);
        for (var i = 0; i < 10_000; i++)
        {
            var scale = (byte)random.Next(Amount.MaxFractionalDigits + 1);
            // below 10^10 in value, so that it is a valid amount
            var mantissa = random.NextInt64(1, scale <= 8 ? 10_000_000_000L * Pow10(scale) : 1_000_000_000_000_000_000L);
            var amount = new decimal((int)mantissa, (int)(mantissa >> 32), 0, false, scale);

            Assert.True(Amount.TryParsePositive(Amount.Format(amount), decimal.MaxValue, out var parsed, out var error),
                $"{Amount.Format(amount)}: {error}");
            Assert.True(parsed == amount && parsed.Scale == amount.Scale,
                $"{Amount.Format(amount)} parsed as {Amount.Format(parsed)}");
        }
    }

    private static long Pow10(int exponent)
    {
        var result = 1L;
        for (var i = 0; i < exponent; i++)
        {
            result *= 10;
        }
        return result;
    }
}
