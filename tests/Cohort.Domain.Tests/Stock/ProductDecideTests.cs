using Cohort.Domain.Stock;

namespace Cohort.Domain.Tests.Stock;

/// <summary>Every command of a product, accepted and refused.</summary>
public class ProductDecideTests
{
    private static readonly StockState None = StockState.Empty("sku-1");

    private static StockState Apply(StockState state, params StockCommand[] commands)
    {
        foreach (var command in commands)
        {
            var decision = Product.Decide(state, command);
            Assert.False(decision.IsRejected, decision.Rejection?.Message);
            state = decision.Events.Aggregate(state, Product.Evolve);
        }
        return state;
    }

    private static StockState Mug(long units = 10) => Apply(None, new Restock("Mug", 12.50m, "EUR", units, "kitchen"));

    private static void Rejected(StockState state, StockCommand command, string code)
    {
        var decision = Product.Decide(state, command);
        Assert.Equal(code, decision.Rejection?.Code);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void A_restock_of_a_new_sku_creates_the_product_with_its_units()
    {
        var decision = Product.Decide(None, new Restock("Mug", 12.50m, "EUR", 10, "kitchen"));
        Assert.Equal([new ProductCreated("Mug", 12.50m, "EUR", "kitchen", 10)], decision.Events);
        var mug = Mug();
        Assert.True(mug.Exists);
        Assert.Equal(("Mug", 12.50m, "EUR", "kitchen", 10L, 0L, 0L, 10L),
            (mug.Name, mug.Price, mug.Asset, mug.Category, mug.Available, mug.Reserved, mug.Sold, mug.TotalAdded));
    }

    [Fact]
    public void A_product_may_be_created_without_units_or_category()
    {
        var empty = Apply(None, new Restock("Mug", 1m, "EUR", 0, null));
        Assert.True(empty.Exists);
        Assert.Null(empty.Category);
        Assert.Equal(0, empty.Available);
    }

    [Fact]
    public void A_restock_of_an_existing_product_adds_units()
    {
        var decision = Product.Decide(Mug(), new Restock("Mug", 12.5m, "EUR", 5, null));
        Assert.Equal([new Restocked(5)], decision.Events);
        var mug = Apply(Mug(), new Restock("Mug", 12.50m, "EUR", 5, "kitchen"));
        Assert.Equal((15L, 15L), (mug.Available, mug.TotalAdded));
    }

    [Theory]
    [InlineData("Cup", "12.50", "EUR", null)]
    [InlineData("Mug", "13", "EUR", null)]
    [InlineData("Mug", "12.50", "USD", null)]
    [InlineData("Mug", "12.50", "EUR", "garden")]
    public void A_restock_with_other_details_is_refused_and_points_to_patch(string name, string price, string asset, string? category)
    {
        var decision = Product.Decide(Mug(), new Restock(name, decimal.Parse(price), asset, 5, category));
        Assert.Equal(RejectionCodes.ValidationFailed, decision.Rejection?.Code);
        Assert.Contains("PATCH", decision.Rejection!.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_restock_of_an_existing_product_must_add_units(long units) =>
        Rejected(Mug(), new Restock("Mug", 12.50m, "EUR", units, null), RejectionCodes.ValidationFailed);

    [Fact]
    public void Units_ever_added_are_bounded()
    {
        Rejected(None, new Restock("Mug", 1m, "EUR", ProductRules.MaxUnits + 1, null), RejectionCodes.ValidationFailed);
        var full = Apply(None, new Restock("Mug", 1m, "EUR", ProductRules.MaxUnits, null));
        Rejected(full, new Restock("Mug", 1m, "EUR", 1, null), RejectionCodes.ValidationFailed);
    }

    [Theory]
    [InlineData("", "1", "EUR", 1, null)]
    [InlineData(" Mug", "1", "EUR", 1, null)]
    [InlineData("Mug", "0", "EUR", 1, null)]
    [InlineData("Mug", "-1", "EUR", 1, null)]
    [InlineData("Mug", "1", "eur", 1, null)]
    [InlineData("Mug", "1", "EUR", -1, null)]
    [InlineData("Mug", "1", "EUR", 1, "")]
    public void A_restock_creating_a_product_needs_valid_details(string name, string price, string asset, long units, string? category) =>
        Rejected(None, new Restock(name, decimal.Parse(price), asset, units, category), RejectionCodes.ValidationFailed);

    [Fact]
    public void Details_change_one_at_a_time_or_together()
    {
        var mug = Apply(Mug(), new ChangeDetails(null, 9.99m, null));
        Assert.Equal(("Mug", 9.99m, "kitchen"), (mug.Name, mug.Price, mug.Category));
        mug = Apply(mug, new ChangeDetails("Big mug", null, "dining"));
        Assert.Equal(("Big mug", 9.99m, "dining"), (mug.Name, mug.Price, mug.Category));
        Assert.Equal(10, mug.Available);
    }

    [Fact]
    public void A_change_needs_a_detail_valid_details_and_an_existing_product()
    {
        Rejected(Mug(), new ChangeDetails(null, null, null), RejectionCodes.ValidationFailed);
        Rejected(Mug(), new ChangeDetails("", null, null), RejectionCodes.ValidationFailed);
        Rejected(Mug(), new ChangeDetails(null, 0m, null), RejectionCodes.ValidationFailed);
        Rejected(Mug(), new ChangeDetails(null, null, new string('c', ProductRules.MaxCategoryLength + 1)), RejectionCodes.ValidationFailed);
        Rejected(None, new ChangeDetails("Mug", null, null), RejectionCodes.NotFound);
    }

    [Fact]
    public void A_reservation_holds_units_for_its_order()
    {
        var mug = Apply(Mug(), new Reserve("o-1", 3), new Reserve("o-2", 7));
        Assert.Equal((0L, 10L, 0L), (mug.Available, mug.Reserved, mug.Sold));
        Assert.Equal([new("o-1", 3L), new("o-2", 7L)], mug.Reservations);
    }

    [Fact]
    public void Reserving_more_than_available_is_sold_out()
    {
        var mug = Apply(Mug(), new Reserve("o-1", 8));
        var decision = Product.Decide(mug, new Reserve("o-2", 3));
        Assert.Equal(RejectionCodes.SoldOut, decision.Rejection?.Code);
        Assert.Contains("2 units available, 3 requested", decision.Rejection!.Message);
    }

    [Fact]
    public void A_reservation_needs_a_positive_quantity_a_free_order_id_and_the_product()
    {
        Rejected(Mug(), new Reserve("o-1", 0), RejectionCodes.ValidationFailed);
        Rejected(Mug(), new Reserve("o-1", -1), RejectionCodes.ValidationFailed);
        Rejected(Mug(), new Reserve("o 1", 1), RejectionCodes.ValidationFailed);
        Rejected(Apply(Mug(), new Reserve("o-1", 1)), new Reserve("o-1", 1), RejectionCodes.ValidationFailed);
        Rejected(None, new Reserve("o-1", 1), RejectionCodes.NotFound);
    }

    [Fact]
    public void A_confirmation_sells_the_orders_reserved_units()
    {
        var mug = Apply(Mug(), new Reserve("o-1", 3), new Reserve("o-2", 2));
        Assert.Equal([new ReservationConfirmed("o-1", 3)], Product.Decide(mug, new Confirm("o-1")).Events);
        mug = Apply(mug, new Confirm("o-1"));
        Assert.Equal((5L, 2L, 3L), (mug.Available, mug.Reserved, mug.Sold));
        Assert.Equal(["o-2"], mug.Reservations.Keys);
    }

    [Fact]
    public void A_release_makes_the_orders_units_available_again()
    {
        var mug = Apply(Mug(), new Reserve("o-1", 3));
        Assert.Equal([new ReservationReleased("o-1", 3)], Product.Decide(mug, new Release("o-1")).Events);
        mug = Apply(mug, new Release("o-1"));
        Assert.Equal((10L, 0L, 0L), (mug.Available, mug.Reserved, mug.Sold));
        Assert.Empty(mug.Reservations);
        // The order id is free again.
        Apply(mug, new Reserve("o-1", 1));
    }

    [Fact]
    public void Confirming_or_releasing_an_unknown_order_is_reservation_not_found()
    {
        var mug = Apply(Mug(), new Reserve("o-1", 3), new Confirm("o-1"));
        Rejected(mug, new Confirm("o-1"), RejectionCodes.ReservationNotFound);
        Rejected(mug, new Release("o-1"), RejectionCodes.ReservationNotFound);
        Rejected(mug, new Confirm("o-9"), RejectionCodes.ReservationNotFound);
        Rejected(None, new Confirm("o-1"), RejectionCodes.NotFound);
        Rejected(None, new Release("o-1"), RejectionCodes.NotFound);
    }
}
