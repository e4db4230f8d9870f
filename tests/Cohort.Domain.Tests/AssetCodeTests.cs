namespace Cohort.Domain.Tests;

public class AssetCodeTests
{
    [Theory]
    [InlineData("A")]
    [InlineData("0")]
    [InlineData("BTC")]
    [InlineData("USDT")]
    [InlineData("EUR")]
    [InlineData("1INCH")]
    [InlineData("ABCDEFGHIJ012345")] // 16 characters
    public void Accepts_1_to_16_upper_case_letters_and_digits(string code)
    {
        Assert.True(AssetCode.IsValid(code));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ABCDEFGHIJ0123456")] // 17 characters
    [InlineData("usdt")]
    [InlineData("Usdt")]
    [InlineData("US DT")]
    [InlineData(" USDT")]
    [InlineData("USDT ")]
    [InlineData("US-DT")]
    [InlineData("US_DT")]
    [InlineData("US.DT")]
    [InlineData("US/DT")]
    [InlineData("USD$")]
    [InlineData("É")]
    [InlineData("ÉUR")]
    [InlineData("ＵＳＤ")] // full-width letters
    [InlineData("USDT\n")]
    public void Rejects_anything_else(string? code)
    {
        Assert.False(AssetCode.IsValid(code));
    }

    [Fact]
    public void The_length_limit_is_16()
    {
        Assert.Equal(16, AssetCode.MaxLength);
        Assert.True(AssetCode.IsValid(new string('Z', AssetCode.MaxLength)));
        Assert.False(AssetCode.IsValid(new string('Z', AssetCode.MaxLength + 1)));
    }
}
