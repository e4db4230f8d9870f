using System.Text;
using Cohort.Cluster.Entities.Carts;
using Cohort.Domain;
using Cohort.Domain.Carts;

namespace Cohort.Cluster.Tests.Entities;

/// <summary>Cart commands off the wire: every type read, every malformed field refused with a message naming it.</summary>
public class CartCommandParserTests
{
    private static CartCommandEnvelope Valid(string json)
    {
        var parsed = CartCommandParser.Parse(Encoding.UTF8.GetBytes(json));
        Assert.True(parsed.Message is not null, parsed.Error);
        return parsed.Message;
    }

    [Fact]
    public void Every_command_type_is_read()
    {
        var set = Valid("""{"type":"set","requestId":"r-1","accountId":"alice","lines":[{"sku":"mug-1","quantity":2},{"sku":"cup-1","quantity":1}]}""");
        Assert.Equal(("alice", "r-1"), (set.AccountId, set.RequestId));
        Assert.Equal(new SetCart(new ValueList<CartLine>([new CartLine("mug-1", 2), new CartLine("cup-1", 1)])), set.Command);
        Assert.Equal(new SetCart(ValueList<CartLine>.Empty), Valid("""{"type":"set","requestId":"r-2","accountId":"alice","lines":[]}""").Command);
        Assert.Equal(new ClearCart(), Valid("""{"type":"clear","requestId":"r-3","accountId":"alice"}""").Command);
        Assert.Equal(new CheckOut("r-4"), Valid("""{"type":"checkout","requestId":"r-4","accountId":"alice"}""").Command);
        Assert.Equal(CartCommandParser.Clear("alice", "r-3").Message, Valid("""{"type":"clear","requestId":"r-3","accountId":"alice"}"""));
    }

    [Fact]
    public void The_hash_is_of_the_meaning_not_the_spelling()
    {
        Assert.Equal(Valid("""{"type":"set","requestId":"r","accountId":"a","lines":[{"sku":"mug-1","quantity":2},{"sku":"cup-1","quantity":1}]}""").Hash,
            Valid("""{"lines":[{"quantity":1,"sku":"cup-1"},{"sku":"mug-1","quantity":2}],"accountId":"a","requestId":"r","type":"set"}""").Hash);
        Assert.NotEqual(Valid("""{"type":"set","requestId":"r","accountId":"a","lines":[{"sku":"mug-1","quantity":2}]}""").Hash,
            Valid("""{"type":"set","requestId":"r","accountId":"a","lines":[{"sku":"mug-1","quantity":3}]}""").Hash);
        Assert.NotEqual(Valid("""{"type":"clear","requestId":"r","accountId":"a"}""").Hash,
            Valid("""{"type":"checkout","requestId":"r","accountId":"a"}""").Hash);
    }

    [Fact]
    public void A_checkout_is_sent_under_its_own_id() =>
        Assert.Throws<ArgumentException>(() => CartCommandParser.Envelope("alice", "r-1", new CheckOut("r-2")));

    [Theory]
    [InlineData("""[1]""", "must be a JSON object")]
    [InlineData("""{"type":"set",""", "not valid JSON")]
    [InlineData("""{"type":"steal","requestId":"r","accountId":"a"}""", "'steal' is not a cart command")]
    [InlineData("""{"type":1,"requestId":"r","accountId":"a"}""", "type and accountId must be strings")]
    [InlineData("""{"type":"clear","accountId":"a"}""", "requestId is required")]
    [InlineData("""{"type":"clear","requestId":"r r","accountId":"a"}""", "requestId is required")]
    [InlineData("""{"type":"clear","requestId":"r"}""", "accountId is required")]
    [InlineData("""{"type":"set","requestId":"r","accountId":"a"}""", "lines is required")]
    [InlineData("""{"type":"set","requestId":"r","accountId":"a","lines":{}}""", "lines is required")]
    [InlineData("""{"type":"set","requestId":"r","accountId":"a","lines":[1]}""", "every line must be an object")]
    [InlineData("""{"type":"set","requestId":"r","accountId":"a","lines":[{"quantity":1}]}""", "sku must be")]
    [InlineData("""{"type":"set","requestId":"r","accountId":"a","lines":[{"sku":"a/b","quantity":1}]}""", "sku must be")]
    [InlineData("""{"type":"set","requestId":"r","accountId":"a","lines":[{"sku":"s"}]}""", "quantity must be a whole JSON number")]
    [InlineData("""{"type":"set","requestId":"r","accountId":"a","lines":[{"sku":"s","quantity":"2"}]}""", "quantity must be a whole JSON number")]
    [InlineData("""{"type":"set","requestId":"r","accountId":"a","lines":[{"sku":"s","quantity":1.5}]}""", "quantity must be a whole JSON number")]
    [InlineData("""{"type":"set","requestId":"r","accountId":"a","lines":[{"sku":"s","quantity":0}]}""", "quantity of 0 is not a line")]
    [InlineData("""{"type":"set","requestId":"r","accountId":"a","lines":[{"sku":"s","quantity":-1}]}""", "quantity must be a whole number from 1 to 10000")]
    [InlineData("""{"type":"set","requestId":"r","accountId":"a","lines":[{"sku":"s","quantity":10001}]}""", "quantity must be a whole number from 1 to 10000")]
    [InlineData("""{"type":"set","requestId":"r","accountId":"a","lines":[{"sku":"s","quantity":1},{"sku":"s","quantity":2}]}""", "'s' is on two lines")]
    public void Malformed_commands_are_refused_with_the_reason(string json, string reason)
    {
        var parsed = CartCommandParser.Parse(Encoding.UTF8.GetBytes(json));
        Assert.Null(parsed.Message);
        Assert.Contains(reason, parsed.Error);
    }

    [Fact]
    public void More_lines_than_a_cart_holds_are_refused()
    {
        var lines = string.Join(",", Enumerable.Range(0, CartRules.MaxLines + 1).Select(i => $$"""{"sku":"s-{{i}}","quantity":1}"""));
        var parsed = CartCommandParser.Parse(Encoding.UTF8.GetBytes($$"""{"type":"set","requestId":"r","accountId":"a","lines":[{{lines}}]}"""));
        Assert.Contains($"at most {CartRules.MaxLines} lines", parsed.Error);
    }

    [Fact]
    public void Kafka_takes_set_and_clear_but_not_a_checkout_which_would_place_no_orders()
    {
        var module = new CartModule();
        Assert.NotNull(module.ParseCommand("""{"type":"clear","requestId":"r","accountId":"a"}"""u8.ToArray(), null!).Message);
        var checkout = module.ParseCommand("""{"type":"checkout","requestId":"r","accountId":"a"}"""u8.ToArray(), null!);
        Assert.Null(checkout.Message);
        Assert.Contains("without placing its orders", checkout.Error);
    }
}
