using Cohort.Domain.Stock;

namespace Cohort.Domain.Tests.Stock;

/// <summary>Evolve refuses every event that would create or lose a unit, whatever Decide let through.</summary>
public class ProductEvolveTests
{
    private static readonly StockState Mug = Product.Evolve(StockState.Empty("sku-1"), new ProductCreated("Mug", 1m, "EUR", null, 10));

    public static TheoryData<StockEvent> Broken => new(
        new StockReserved("o-1", 11),
        new StockReserved("o-1", 0),
        new ReservationConfirmed("o-9", 1),
        new ReservationReleased("o-9", 1),
        new ReservationConfirmed("o-1", 2),
        new Restocked(0),
        new Restocked(ProductRules.MaxUnits),
        new ProductCreated("Mug", 1m, "EUR", null, 1));

    [Theory]
    [MemberData(nameof(Broken))]
    public void An_event_breaking_the_units_throws(StockEvent @event)
    {
        var held = Product.Evolve(Mug, new StockReserved("o-1", 1));
        Assert.Throws<InvariantViolationException>(() => Product.Evolve(@event is StockReserved ? Mug : held, @event));
    }

    [Fact]
    public void No_event_but_a_creation_applies_to_a_product_that_does_not_exist()
    {
        Assert.Throws<InvariantViolationException>(() => Product.Evolve(StockState.Empty("sku-1"), new Restocked(1)));
        Assert.Throws<InvariantViolationException>(() => Product.Evolve(StockState.Empty("sku-1"), new ProductCreated("Mug", 1m, "EUR", null, -1)));
    }

    [Fact]
    public void A_state_whose_reserved_units_are_not_its_orders_is_refused_when_restored_whole()
    {
        Assert.Throws<InvariantViolationException>(() => Product.AssertReservationsAddUp(Mug with { Available = 9, Reserved = 1 }));
        Assert.Throws<InvariantViolationException>(() => Product.AssertReservationsAddUp(Mug with { Reservations = Mug.Reservations.Add("o-1", 0) }));
        Product.AssertReservationsAddUp(Product.Evolve(Product.Evolve(Mug, new StockReserved("o-1", 3)), new StockReserved("o-2", 2)));
    }
}
