using System.Text;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Orders;
using Cohort.Domain.Orders;

namespace Cohort.Cluster.Tests.Entities;

/// <summary>Order commands off Kafka: place, pay, cancel and purchase read, every malformed command refused with a message naming its fault.</summary>
public class OrderCommandParserTests
{
    private static readonly DateTime Now = new(2024, 5, 6, 7, 0, 0, DateTimeKind.Utc);

    private static readonly OrderOptions Options = new() { PaymentTimeout = TimeSpan.FromMinutes(15) };

    private static Parsed<IShardedMessage> Parse(string json) => OrderCommandParser.Parse(Encoding.UTF8.GetBytes(json), Options, Now);

    private static IShardedMessage Valid(string json)
    {
        var parsed = Parse(json);
        Assert.True(parsed.Message is not null, parsed.Error);
        return parsed.Message;
    }

    [Fact]
    public void A_place_becomes_an_order_whose_id_is_its_request_id_due_after_the_payment_timeout()
    {
        var place = Assert.IsType<OrderCommandEnvelope>(Valid("""{"type":"place","requestId":"o-1","accountId":"alice","sku":"mug-1","quantity":2}"""));
        Assert.Equal(("o-1", "o-1"), (place.OrderId, place.RequestId));
        Assert.Equal(new PlaceOrder(new OrderTerms("alice", "mug-1", 2), Now, Now.AddMinutes(15), FlashSale: false), place.Command);
    }

    [Fact]
    public void Pay_and_cancel_name_their_order_and_request()
    {
        Assert.Equal(new PayOrderRequest("o-1", "p-1"), Valid("""{"type":"pay","requestId":"p-1","orderId":"o-1"}"""));
        Assert.Equal(new CancelOrderRequest("o-1", "c-1"), Valid("""{"type":"cancel","requestId":"c-1","orderId":"o-1"}"""));
        Assert.Equal(new PayOrderRequest("o-1", "o-1"), Valid("""{"type":"pay","orderId":"o-1"}"""));
    }

    [Fact]
    public void A_purchase_is_one_flash_sale_unit_under_the_order_id_of_its_account_and_sku()
    {
        var purchase = Assert.IsType<OrderCommandEnvelope>(Valid("""{"type":"purchase","requestId":"buy-1","accountId":"alice","sku":"mug-1"}"""));
        Assert.Equal((FlashSaleOrders.IdOf("mug-1", "alice"), "buy-1"), (purchase.OrderId, purchase.RequestId));
        Assert.Equal(new PlaceOrder(new OrderTerms("alice", "mug-1", 1), Now, Now.AddMinutes(15), FlashSale: true), purchase.Command);
        var http = OrderCommandParser.Place(FlashSaleOrders.IdOf("mug-1", "alice"), "buy-1", "alice", "mug-1", 1, flashSale: true, Options, Now);
        Assert.Equal(http.Message, purchase);
    }

    [Fact]
    public void A_place_hash_is_of_its_terms_not_of_when_it_was_read()
    {
        const string json = """{"type":"place","requestId":"o-1","accountId":"alice","sku":"mug-1","quantity":2}""";
        var first = Assert.IsType<OrderCommandEnvelope>(Valid(json));
        var later = Assert.IsType<OrderCommandEnvelope>(OrderCommandParser.Parse(Encoding.UTF8.GetBytes(json), Options, Now.AddHours(1)).Message);
        Assert.Equal(first.Hash, later.Hash);
        Assert.NotEqual(first.Hash, Assert.IsType<OrderCommandEnvelope>(Valid(json.Replace("\"quantity\":2", "\"quantity\":3"))).Hash);
    }

    [Theory]
    [InlineData("""[1]""", "must be a JSON object")]
    [InlineData("""{"type":"place",""", "not valid JSON")]
    [InlineData("""not json""", "not valid JSON")]
    [InlineData("""{"type":"refund","requestId":"r","orderId":"o-1"}""", "'refund' is not an order command (place, pay, cancel, purchase)")]
    [InlineData("""{"requestId":"r","orderId":"o-1"}""", "is not an order command")]
    [InlineData("""{"type":"place","accountId":"alice","sku":"mug-1","quantity":1}""", "requestId is required")]
    [InlineData("""{"type":"place","requestId":"o 1","accountId":"alice","sku":"mug-1","quantity":1}""", "requestId is required")]
    [InlineData("""{"type":"place","requestId":"o-1","sku":"mug-1","quantity":1}""", "accountId and sku are required")]
    [InlineData("""{"type":"place","requestId":"o-1","accountId":"alice","quantity":1}""", "accountId and sku are required")]
    [InlineData("""{"type":"place","requestId":"o-1","accountId":"alice","sku":"mug-1"}""", "quantity must be a whole number")]
    [InlineData("""{"type":"place","requestId":"o-1","accountId":"alice","sku":"mug-1","quantity":0}""", "quantity must be a whole number")]
    [InlineData("""{"type":"place","requestId":"o-1","accountId":"alice","sku":"mug-1","quantity":1000001}""", "quantity must be a whole number")]
    [InlineData("""{"type":"place","requestId":"o-1","accountId":"alice","sku":"mug-1","quantity":1.5}""", "quantity must be a whole number")]
    [InlineData("""{"type":"place","requestId":"o-1","accountId":"alice","sku":"mug-1","quantity":"2"}""", "quantity must be a whole number")]
    [InlineData("""{"type":"purchase","accountId":"alice","sku":"mug-1"}""", "requestId, accountId and sku are required")]
    [InlineData("""{"type":"purchase","requestId":"buy-1","sku":"mug-1"}""", "requestId, accountId and sku are required")]
    [InlineData("""{"type":"purchase","requestId":"buy-1","accountId":"alice","sku":"mug 1"}""", "requestId, accountId and sku are required")]
    [InlineData("""{"type":"pay","requestId":"p-1"}""", "orderId is required")]
    [InlineData("""{"type":"cancel","requestId":"c-1","orderId":"o/1"}""", "orderId is required")]
    [InlineData("""{"type":"pay","requestId":"p 1","orderId":"o-1"}""", "requestId must be")]
    public void A_malformed_command_is_refused_with_a_message_naming_its_fault(string json, string error)
    {
        var parsed = Parse(json);
        Assert.Null(parsed.Message);
        Assert.Contains(error, parsed.Error);
    }

    [Fact]
    public void A_command_that_is_not_utf8_is_refused()
    {
        var parsed = OrderCommandParser.Parse([0x7b, 0xff, 0xfe, 0x7d], Options, Now);
        Assert.Null(parsed.Message);
        Assert.Contains("not valid UTF-8", parsed.Error);
    }
}
