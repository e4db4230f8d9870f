namespace Cohort.Domain.Tests;

public class IdentifierTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("Z")]
    [InlineData("7")]
    [InlineData("acc-1")]
    [InlineData("order_42")]
    [InlineData("order-42:reserve")]
    [InlineData("user@example.com")]
    [InlineData("-_.:@")]
    [InlineData("A1-b2_C3.d4:E5@f6")]
    public void Accepts_letters_digits_and_the_allowed_punctuation(string id)
    {
        Assert.True(Identifier.IsValid(id));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("a b")]
    [InlineData(" a")]
    [InlineData("a ")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a\tb")]
    [InlineData("a\nb")]
    [InlineData("a#b")]
    [InlineData("a+b")]
    [InlineData("a,b")]
    [InlineData("a?b")]
    [InlineData("é")]
    [InlineData("café")]
    [InlineData("аcc")] // Cyrillic 'а'
    [InlineData("１")] // full-width digit
    [InlineData("a\0")]
    public void Rejects_anything_else(string? id)
    {
        Assert.False(Identifier.IsValid(id));
    }

    [Fact]
    public void The_length_limit_is_128()
    {
        Assert.Equal(128, Identifier.MaxLength);
        Assert.True(Identifier.IsValid(new string('a', 128)));
        Assert.True(Identifier.IsValid(new string('@', 128)));
        Assert.False(Identifier.IsValid(new string('a', 129)));
    }
}
