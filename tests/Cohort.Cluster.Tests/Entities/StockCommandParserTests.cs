using System.Text;
using Cohort.Cluster.Entities.Stock;
using Cohort.Domain.Stock;

namespace Cohort.Cluster.Tests.Entities;

/// <summary>Stock commands off the wire: every type read, every malformed field refused with a message naming it.</summary>
public class StockCommandParserTests
{
    private static StockCommandEnvelope Valid(string json)
    {
        var parsed = StockCommandParser.Parse(Encoding.UTF8.GetBytes(json));
        Assert.True(parsed.Message is not null, parsed.Error);
        return parsed.Message;
    }

    [Fact]
    public void Every_command_type_is_read()
    {
        var restock = Valid("""{"type":"restock","requestId":"r-1","sku":"mug-1","name":"Mug","price":"12.50","asset":"EUR","addStock":10,"category":"kitchen"}""");
        Assert.Equal(("mug-1", "r-1", (StockCommand)new Restock("Mug", 12.50m, "EUR", 10, "kitchen")), (restock.Sku, restock.RequestId, restock.Command));
        Assert.Equal(new ChangeDetails(null, 9.99m, null), Valid("""{"type":"change","requestId":"r-2","sku":"mug-1","price":"9.99"}""").Command);
        Assert.Equal(new Reserve("o-1", 2), Valid("""{"type":"reserve","requestId":"r-3","sku":"mug-1","orderId":"o-1","quantity":2}""").Command);
        Assert.Equal(new Confirm("o-1"), Valid("""{"type":"confirm","requestId":"r-4","sku":"mug-1","orderId":"o-1"}""").Command);
        Assert.Equal(new Release("o-1"), Valid("""{"type":"release","requestId":"r-5","sku":"mug-1","orderId":"o-1"}""").Command);
    }

    [Fact]
    public void The_hash_is_of_the_meaning_not_the_spelling()
    {
        Assert.Equal(Valid("""{"type":"restock","requestId":"r","sku":"s","name":"Mug","price":"12.50","asset":"EUR","addStock":1}""").Hash,
            Valid("""{"addStock":1,"asset":"EUR","price":"12.5","name":"Mug","sku":"s","requestId":"r","type":"restock","category":null}""").Hash);
        Assert.NotEqual(Valid("""{"type":"reserve","requestId":"r","sku":"s","orderId":"o-1","quantity":2}""").Hash,
            Valid("""{"type":"reserve","requestId":"r","sku":"s","orderId":"o-1","quantity":3}""").Hash);
    }

    [Theory]
    [InlineData("""[1]""", "must be a JSON object")]
    [InlineData("""{"type":"reserve",""", "not valid JSON")]
    [InlineData("""{"type":"steal","requestId":"r","sku":"s"}""", "'steal' is not a stock command")]
    [InlineData("""{"type":"reserve","sku":"s","orderId":"o","quantity":1}""", "requestId is required")]
    [InlineData("""{"type":"reserve","requestId":"r","sku":"a b","orderId":"o","quantity":1}""", "sku is required")]
    [InlineData("""{"type":1,"requestId":"r","sku":"s"}""", "type and sku must be strings")]
    [InlineData("""{"type":"restock","requestId":"r","sku":"s","price":"1","asset":"EUR","addStock":1}""", "name must be")]
    [InlineData("""{"type":"restock","requestId":"r","sku":"s","name":" Mug","price":"1","asset":"EUR","addStock":1}""", "name must be")]
    [InlineData("""{"type":"restock","requestId":"r","sku":"s","name":"Mug","asset":"EUR","addStock":1}""", "price is required")]
    [InlineData("""{"type":"restock","requestId":"r","sku":"s","name":"Mug","price":1,"asset":"EUR","addStock":1}""", "price must be a decimal string")]
    [InlineData("""{"type":"restock","requestId":"r","sku":"s","name":"Mug","price":"-1","asset":"EUR","addStock":1}""", "price '-1' is not a plain decimal")]
    [InlineData("""{"type":"restock","requestId":"r","sku":"s","name":"Mug","price":"1","asset":"eur","addStock":1}""", "asset must be")]
    [InlineData("""{"type":"restock","requestId":"r","sku":"s","name":"Mug","price":"1","asset":"EUR"}""", "addStock is required")]
    [InlineData("""{"type":"restock","requestId":"r","sku":"s","name":"Mug","price":"1","asset":"EUR","addStock":1.5}""", "addStock must be a whole JSON number")]
    [InlineData("""{"type":"restock","requestId":"r","sku":"s","name":"Mug","price":"1","asset":"EUR","addStock":-1}""", "addStock is required")]
    [InlineData("""{"type":"restock","requestId":"r","sku":"s","name":"Mug","price":"1","asset":"EUR","addStock":1,"category":""}""", "category must be")]
    [InlineData("""{"type":"change","requestId":"r","sku":"s"}""", "at least one of name, price and category")]
    [InlineData("""{"type":"change","requestId":"r","sku":"s","name":7}""", "name must be a string")]
    [InlineData("""{"type":"reserve","requestId":"r","sku":"s","quantity":1}""", "orderId is required")]
    [InlineData("""{"type":"reserve","requestId":"r","sku":"s","orderId":"o","quantity":0}""", "quantity is required")]
    [InlineData("""{"type":"reserve","requestId":"r","sku":"s","orderId":"o","quantity":"2"}""", "quantity must be a whole JSON number")]
    [InlineData("""{"type":"confirm","requestId":"r","sku":"s"}""", "orderId is required")]
    [InlineData("""{"type":"release","requestId":"r","sku":"s","orderId":"o/1"}""", "orderId is required")]
    public void A_malformed_command_is_refused_with_a_message_naming_its_fault(string json, string error)
    {
        var parsed = StockCommandParser.Parse(Encoding.UTF8.GetBytes(json));
        Assert.Null(parsed.Message);
        Assert.Contains(error, parsed.Error);
    }
}
