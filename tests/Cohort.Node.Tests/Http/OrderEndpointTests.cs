using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cohort.Node.Tests.Support;

namespace Cohort.Node.Tests.Http;

/// <summary>A node whose orders expire after a few seconds, and whose keeper looks often.</summary>
public sealed class ShortDeadlineNodeFixture : SingleNodeFixture
{
    public static readonly TimeSpan PaymentTimeout = TimeSpan.FromSeconds(4);

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Cohort:Orders:PaymentTimeout"] = PaymentTimeout.ToString("c"),
        ["Cohort:Orders:KeeperInterval"] = "00:00:01",
        ["Cohort:Orders:StepMargin"] = "00:00:02",
    };
}

/// <summary>
/// The order routes of a real node: an order reserves its units, is paid (freeze, confirm, settle) or cancelled or
/// expires, and every path leaves the product's units and the account's funds adding up.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class OrderEndpointTests(ShortDeadlineNodeFixture node) : IClassFixture<ShortDeadlineNodeFixture>
{
    private readonly string sku = $"mug-{Guid.NewGuid():N}"[..20];
    private readonly string buyer = $"bob-{Guid.NewGuid():N}"[..20];

    [Fact]
    public async Task An_order_reserves_its_units_and_a_payment_sells_them_and_spends_the_funds()
    {
        await RestockAsync(10, "12.50");
        await DepositAsync("100.00");

        var placed = await PlaceAsync("o-1", 2);
        Assert.Equal(HttpStatusCode.OK, placed.Status);
        Assert.Equal(("awaiting_payment", "12.50", "25.00", "EUR"), (Text(placed.Body, "status"), Text(placed.Body, "price"), Text(placed.Body, "amount"), Text(placed.Body, "asset")));
        Assert.Equal((8L, 2L, 0L), await UnitsAsync());

        var paid = await PostAsync($"/api/v1/orders/{OrderId("o-1")}/pay");
        Assert.Equal((HttpStatusCode.OK, "paid"), (paid.Status, Text(paid.Body, "status")));
        Assert.Equal((8L, 0L, 2L), await UnitsAsync());
        Assert.Equal((75m, 0m), await BalanceAsync());

        // Paying again answers the paid order and moves nothing; a paid order cannot be cancelled.
        var again = await PostAsync($"/api/v1/orders/{OrderId("o-1")}/pay");
        Assert.Equal((HttpStatusCode.OK, "paid"), (again.Status, Text(again.Body, "status")));
        var cancel = await PostAsync($"/api/v1/orders/{OrderId("o-1")}/cancel");
        Assert.Equal((HttpStatusCode.Conflict, "order_paid"), (cancel.Status, Text(cancel.Body, "code")));
        Assert.Equal((75m, 0m), await BalanceAsync());

        // Placing the same request again answers the same order; other terms under its id conflict.
        var replayed = await PlaceAsync("o-1", 2);
        Assert.Equal(HttpStatusCode.OK, replayed.Status);
        var conflict = await PlaceAsync("o-1", 3);
        Assert.Equal((HttpStatusCode.Conflict, "idempotency_conflict"), (conflict.Status, Text(conflict.Body, "code")));

        var order = await GetAsync($"/api/v1/orders/{OrderId("o-1")}");
        Assert.Equal(("paid", buyer, sku, 2), (Text(order.Body, "status"), Text(order.Body, "accountId"), Text(order.Body, "sku"), order.Body.GetProperty("quantity").GetInt32()));
        var list = await ListUntilAsync(page => page.GetProperty("items").EnumerateArray().Any(o => Text(o, "status") == "paid"));
        Assert.Equal(1, list.GetProperty("total").GetInt32());
        Assert.Equal(OrderId("o-1"), Text(list.GetProperty("items")[0], "orderId"));
    }

    [Fact]
    public async Task Insufficient_funds_leave_the_order_awaiting_payment_and_a_later_payment_goes_through()
    {
        await RestockAsync(5, "30");
        await DepositAsync("10");
        Assert.Equal(HttpStatusCode.OK, (await PlaceAsync("o-1", 1)).Status);

        var refused = await PostAsync($"/api/v1/orders/{OrderId("o-1")}/pay");
        Assert.Equal((HttpStatusCode.Conflict, "insufficient_funds"), (refused.Status, Text(refused.Body, "code")));
        var order = await GetAsync($"/api/v1/orders/{OrderId("o-1")}");
        Assert.Equal(("awaiting_payment", "insufficient_funds"), (Text(order.Body, "status"), Text(order.Body, "reason")));
        Assert.Equal((10m, 0m), await BalanceAsync());

        await DepositAsync("25", "d-2");
        var paid = await PostAsync($"/api/v1/orders/{OrderId("o-1")}/pay");
        Assert.Equal((HttpStatusCode.OK, "paid"), (paid.Status, Text(paid.Body, "status")));
        Assert.Equal((5m, 0m), await BalanceAsync());
        Assert.Equal((4L, 0L, 1L), await UnitsAsync());
    }

    [Fact]
    public async Task A_cancel_gives_the_units_back_and_more_than_is_available_is_sold_out()
    {
        await RestockAsync(3, "1");
        Assert.Equal(HttpStatusCode.OK, (await PlaceAsync("o-1", 2)).Status);
        var soldOut = await PlaceAsync("o-2", 2);
        Assert.Equal((HttpStatusCode.Conflict, "sold_out"), (soldOut.Status, Text(soldOut.Body, "code")));
        Assert.Equal((1L, 2L, 0L), await UnitsAsync());

        var cancelled = await PostAsync($"/api/v1/orders/{OrderId("o-1")}/cancel");
        Assert.Equal((HttpStatusCode.OK, "cancelled"), (cancelled.Status, Text(cancelled.Body, "status")));
        Assert.Equal((3L, 0L, 0L), await UnitsAsync());
        var pay = await PostAsync($"/api/v1/orders/{OrderId("o-1")}/pay");
        Assert.Equal((HttpStatusCode.Conflict, "order_closed"), (pay.Status, Text(pay.Body, "code")));
        var rejected = await GetAsync($"/api/v1/orders/{OrderId("o-2")}");
        Assert.Equal(("rejected", "sold_out"), (Text(rejected.Body, "status"), Text(rejected.Body, "reason")));

        var missing = await PostAsync("/api/v1/orders/nobody-ordered-this/pay");
        Assert.Equal((HttpStatusCode.NotFound, "not_found"), (missing.Status, Text(missing.Body, "code")));
        var noProduct = await PlaceAsync("o-3", 1, sku: $"{sku}-none");
        Assert.Equal((HttpStatusCode.NotFound, "not_found"), (noProduct.Status, Text(noProduct.Body, "code")));
    }

    [Fact]
    public async Task An_unpaid_order_expires_at_its_deadline_and_its_units_come_back()
    {
        await RestockAsync(4, "2");
        Assert.Equal(HttpStatusCode.OK, (await PlaceAsync("o-1", 3)).Status);
        Assert.Equal((1L, 3L, 0L), await UnitsAsync());

        var deadline = DateTime.UtcNow + ShortDeadlineNodeFixture.PaymentTimeout + TimeSpan.FromSeconds(30);
        JsonElement order;
        do
        {
            await Task.Delay(200);
            order = (await GetAsync($"/api/v1/orders/{OrderId("o-1")}")).Body;
        }
        while (Text(order, "status") != "expired" && DateTime.UtcNow < deadline);
        Assert.Equal(("expired", "expired"), (Text(order, "status"), Text(order, "reason")));
        Assert.Equal((4L, 0L, 0L), await UnitsAsync());
        var pay = await PostAsync($"/api/v1/orders/{OrderId("o-1")}/pay");
        Assert.Equal((HttpStatusCode.Conflict, "order_closed"), (pay.Status, Text(pay.Body, "code")));
    }

    [Fact]
    public async Task Pay_and_cancel_racing_on_each_order_end_paid_or_cancelled_and_move_money_once()
    {
        const int orders = 20;
        await RestockAsync(orders, "3");
        await DepositAsync("1000");
        for (var i = 0; i < orders; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await PlaceAsync($"o-{i}", 1)).Status);
        }

        var race = Enumerable.Range(0, orders).SelectMany(i => new[]
        {
            PostAsync($"/api/v1/orders/{OrderId($"o-{i}")}/pay"),
            PostAsync($"/api/v1/orders/{OrderId($"o-{i}")}/cancel"),
        }).ToList();
        var answers = await Task.WhenAll(race);
        Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.OK or HttpStatusCode.Conflict, $"{a.Status} {a.Body}"));

        var paid = 0;
        for (var i = 0; i < orders; i++)
        {
            var status = Text((await GetAsync($"/api/v1/orders/{OrderId($"o-{i}")}")).Body, "status");
            Assert.Contains(status, new[] { "paid", "cancelled" });
            paid += status == "paid" ? 1 : 0;
            // The two answers agree with the outcome: exactly one of them won.
            var (pay, cancel) = (answers[2 * i], answers[2 * i + 1]);
            Assert.Equal(status == "paid", pay.Status == HttpStatusCode.OK);
            Assert.Equal(status == "cancelled", cancel.Status == HttpStatusCode.OK);
        }
        Assert.Equal((orders - (long)paid, 0L, (long)paid), await UnitsAsync());
        Assert.Equal((1000m - 3 * paid, 0m), await BalanceAsync());
    }

    [Fact]
    public async Task A_cart_checkout_places_one_order_per_line_empties_the_cart_and_answers_the_same_when_sent_again()
    {
        await RestockAsync(5, "4");
        using (var put = await node.Http.PutAsJsonAsync($"/api/v1/accounts/{buyer}/cart", new { requestId = "c-1", lines = new[] { new { sku, quantity = 2 } } }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        var checkout = await PostAsync($"/api/v1/accounts/{buyer}/cart/checkout", new { requestId = "co-1" });
        Assert.Equal(HttpStatusCode.OK, checkout.Status);
        var order = Assert.Single(checkout.Body.GetProperty("orders").EnumerateArray());
        Assert.Equal(("awaiting_payment", sku, "8"), (Text(order, "status"), Text(order, "sku"), Text(order, "amount")));
        Assert.Equal((3L, 2L, 0L), await UnitsAsync());
        Assert.Empty((await GetAsync($"/api/v1/accounts/{buyer}/cart")).Body.GetProperty("lines").EnumerateArray());

        var again = await PostAsync($"/api/v1/accounts/{buyer}/cart/checkout", new { requestId = "co-1" });
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(Text(order, "orderId"), Text(Assert.Single(again.Body.GetProperty("orders").EnumerateArray()), "orderId"));
        Assert.Equal((3L, 2L, 0L), await UnitsAsync());
        var empty = await PostAsync($"/api/v1/accounts/{buyer}/cart/checkout", new { requestId = "co-2" });
        Assert.Equal((HttpStatusCode.Conflict, "cart_empty"), (empty.Status, Text(empty.Body, "code")));
    }

    [Fact]
    public async Task Bad_orders_are_refused()
    {
        foreach (var bad in new object[]
        {
            new { accountId = buyer, sku, quantity = 1 },
            new { requestId = "o 1", accountId = buyer, sku, quantity = 1 },
            new { requestId = "o-1", sku, quantity = 1 },
            new { requestId = "o-1", accountId = buyer, sku, quantity = 0 },
            new { requestId = "o-1", accountId = buyer, sku, quantity = 1.5 },
            new { requestId = "o-1", accountId = buyer, sku, quantity = "1" },
            new { requestId = "o-1", accountId = buyer, sku = "", quantity = 1 },
        })
        {
            var refused = await PostAsync("/api/v1/orders", bad);
            Assert.Equal((HttpStatusCode.BadRequest, "validation_failed"), (refused.Status, Text(refused.Body, "code")));
        }
        var list = await GetAsync($"/api/v1/accounts/{buyer}/orders?pageSize=101");
        Assert.Equal(HttpStatusCode.BadRequest, list.Status);
    }

    private string OrderId(string requestId) => $"{buyer}-{requestId}";

    private Task<(HttpStatusCode Status, JsonElement Body)> PlaceAsync(string requestId, long quantity, string? sku = null) =>
        PostAsync("/api/v1/orders", new { requestId = OrderId(requestId), accountId = buyer, sku = sku ?? this.sku, quantity });

    private async Task RestockAsync(long units, string price)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/products/{sku}")
        {
            Content = JsonContent.Create(new { requestId = $"r-{Guid.NewGuid():N}", name = "Mug", price, asset = "EUR", addStock = units }),
        };
        using var response = await node.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task DepositAsync(string amount, string requestId = "d-1")
    {
        var deposit = await PostAsync($"/api/v1/accounts/{buyer}/deposit", new { requestId, asset = "EUR", amount });
        Assert.Equal(HttpStatusCode.OK, deposit.Status);
    }

    private async Task<(long Available, long Reserved, long Sold)> UnitsAsync()
    {
        var product = (await GetAsync($"/api/v1/products/{sku}")).Body;
        return (product.GetProperty("available").GetInt64(), product.GetProperty("reserved").GetInt64(), product.GetProperty("sold").GetInt64());
    }

    private async Task<(decimal Available, decimal Frozen)> BalanceAsync()
    {
        var account = (await GetAsync($"/api/v1/accounts/{buyer}")).Body;
        var eur = account.GetProperty("balances").EnumerateArray().Single(b => Text(b, "asset") == "EUR");
        return (decimal.Parse(Text(eur, "available")!, CultureInfo.InvariantCulture), decimal.Parse(Text(eur, "frozen")!, CultureInfo.InvariantCulture));
    }

    private async Task<JsonElement> ListUntilAsync(Func<JsonElement, bool> shows)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var (status, body) = await GetAsync($"/api/v1/accounts/{buyer}/orders");
            Assert.Equal(HttpStatusCode.OK, status);
            if (shows(body) || DateTime.UtcNow > deadline)
            {
                return body;
            }
            await Task.Delay(100);
        }
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, object? body = null)
    {
        using var response = await node.Http.PostAsync(path, body is null ? null : JsonContent.Create(body));
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path)
    {
        using var response = await node.Http.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
