namespace Cohort.Domain.Stock;

/// <summary>
/// The stock entity's behaviour, one product per SKU. Decide checks a command against the state and answers with
/// events or a rejection; Evolve applies an event and asserts that no unit was created or lost: available, reserved
/// and sold always add up to the units ever added, and reserved is the sum of the orders' reservations.
/// </summary>
public static class Product
{
    public static Decision<StockEvent> Decide(StockState state, StockCommand command) => command switch
    {
        Restock c when !state.Exists => Create(c),
        Restock c => Add(state, c),
        _ when !state.Exists => Decision<StockEvent>.Reject(RejectionCodes.NotFound, $"product '{state.Sku}' does not exist; create it with a restock"),
        ChangeDetails c => Change(state, c),
        Reserve c => Reserve(state, c),
        Confirm c when !state.Reservations.ContainsKey(c.OrderId) => NoReservation(state, c.OrderId),
        Confirm c => Decision<StockEvent>.Accept(new ReservationConfirmed(c.OrderId, state.Reservations[c.OrderId])),
        Release c when !state.Reservations.ContainsKey(c.OrderId) => NoReservation(state, c.OrderId),
        Release c => Decision<StockEvent>.Accept(new ReservationReleased(c.OrderId, state.Reservations[c.OrderId])),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, "unknown stock command"),
    };

    public static StockState Evolve(StockState state, StockEvent @event)
    {
        if (!state.Exists && @event is not ProductCreated)
        {
            throw new InvariantViolationException($"product {state.Sku}: {@event} before the product was created");
        }
        var next = @event switch
        {
            ProductCreated e when state.Exists => throw Broken(state, e, "the product exists already"),
            ProductCreated e => state with
            {
                Exists = true, Name = e.Name, Price = e.Price, Asset = e.Asset, Category = e.Category,
                Available = e.Units, TotalAdded = e.Units,
            },
            Restocked e when e.Units <= 0 => throw Broken(state, e, "no units added"),
            Restocked e => state with { Available = state.Available + e.Units, TotalAdded = state.TotalAdded + e.Units },
            DetailsChanged e => state with { Name = e.Name ?? state.Name, Price = e.Price ?? state.Price, Category = e.Category ?? state.Category },
            StockReserved e when e.Quantity <= 0 || state.Reservations.ContainsKey(e.OrderId) =>
                throw Broken(state, e, "a reservation must be positive and the order's only one"),
            StockReserved e => state with
            {
                Available = state.Available - e.Quantity,
                Reserved = state.Reserved + e.Quantity,
                Reservations = state.Reservations.Add(e.OrderId, e.Quantity),
            },
            ReservationConfirmed e when state.Reservations.GetValueOrDefault(e.OrderId) != e.Quantity =>
                throw Broken(state, e, "it does not match the order's reservation"),
            ReservationConfirmed e => state with
            {
                Reserved = state.Reserved - e.Quantity,
                Sold = state.Sold + e.Quantity,
                Reservations = state.Reservations.Remove(e.OrderId),
            },
            ReservationReleased e when state.Reservations.GetValueOrDefault(e.OrderId) != e.Quantity =>
                throw Broken(state, e, "it does not match the order's reservation"),
            ReservationReleased e => state with
            {
                Reserved = state.Reserved - e.Quantity,
                Available = state.Available + e.Quantity,
                Reservations = state.Reservations.Remove(e.OrderId),
            },
            _ => throw new ArgumentOutOfRangeException(nameof(@event), @event, "unknown stock event"),
        };
        AssertUnitsAddUp(next, @event);
        return next;
    }

    private static Decision<StockEvent> Create(Restock c)
    {
        if (Invalid(c.Name, c.Price, c.Asset, c.Category) is { } error)
        {
            return Decision<StockEvent>.Reject(RejectionCodes.ValidationFailed, error);
        }
        if (c.AddStock is < 0 or > ProductRules.MaxUnits)
        {
            return Decision<StockEvent>.Reject(RejectionCodes.ValidationFailed,
                $"addStock must be 0-{ProductRules.MaxUnits} when creating a product");
        }
        return Decision<StockEvent>.Accept(new ProductCreated(c.Name, c.Price, c.Asset, c.Category, c.AddStock));
    }

    private static Decision<StockEvent> Add(StockState state, Restock c)
    {
        if (c.Name != state.Name || c.Price != state.Price || c.Asset != state.Asset || (c.Category is not null && c.Category != state.Category))
        {
            return Decision<StockEvent>.Reject(RejectionCodes.ValidationFailed,
                $"product '{state.Sku}' exists with other details: a restock must repeat its name, price, asset (and category, when given); change details with PATCH");
        }
        if (c.AddStock <= 0 || c.AddStock > ProductRules.MaxUnits - state.TotalAdded)
        {
            return Decision<StockEvent>.Reject(RejectionCodes.ValidationFailed,
                $"addStock must be positive when restocking, and the units ever added at most {ProductRules.MaxUnits}");
        }
        return Decision<StockEvent>.Accept(new Restocked(c.AddStock));
    }

    private static Decision<StockEvent> Change(StockState state, ChangeDetails c)
    {
        if (c.Name is null && c.Price is null && c.Category is null)
        {
            return Decision<StockEvent>.Reject(RejectionCodes.ValidationFailed, "give at least one of name, price and category");
        }
        if (Invalid(c.Name ?? state.Name, c.Price ?? state.Price, state.Asset, c.Category) is { } error)
        {
            return Decision<StockEvent>.Reject(RejectionCodes.ValidationFailed, error);
        }
        return Decision<StockEvent>.Accept(new DetailsChanged(c.Name, c.Price, c.Category));
    }

    /// <remarks>
    /// A second reservation for the same order is refused rather than treated as a retry: its quantity may differ,
    /// and a retry of the same command is already answered by its request id.
    /// </remarks>
    private static Decision<StockEvent> Reserve(StockState state, Reserve c)
    {
        if (!Identifier.IsValid(c.OrderId) || c.Quantity <= 0)
        {
            return Decision<StockEvent>.Reject(RejectionCodes.ValidationFailed,
                $"orderId must be 1-{Identifier.MaxLength} characters of letters, digits and -_.:@ and quantity positive");
        }
        if (state.Reservations.ContainsKey(c.OrderId))
        {
            return Decision<StockEvent>.Reject(RejectionCodes.ValidationFailed,
                $"order '{c.OrderId}' already holds a reservation of product '{state.Sku}'; confirm or release it first");
        }
        if (c.Quantity > state.Available)
        {
            return Decision<StockEvent>.Reject(RejectionCodes.SoldOut,
                $"product '{state.Sku}' has {state.Available} units available, {c.Quantity} requested");
        }
        return Decision<StockEvent>.Accept(new StockReserved(c.OrderId, c.Quantity));
    }

    private static string? Invalid(string name, decimal price, string asset, string? category) =>
        !ProductRules.IsValidName(name) ? ProductRules.NameRule
        : !ProductRules.IsValidPrice(price) ? ProductRules.PriceRule
        : !AssetCode.IsValid(asset) ? $"asset must be 1-{AssetCode.MaxLength} characters of A-Z and 0-9"
        : category is not null && !ProductRules.IsValidCategory(category) ? ProductRules.CategoryRule
        : null;

    private static Decision<StockEvent> NoReservation(StockState state, string orderId) =>
        Decision<StockEvent>.Reject(RejectionCodes.ReservationNotFound, $"order '{orderId}' holds no reservation of product '{state.Sku}'");

    /// <remarks>
    /// O(1): summing every order's reservation here made each event cost as much as the reservations held, so a sale
    /// with tens of thousands of orders awaiting payment slowed to a crawl. The sum is kept instead: a reservation
    /// is added positive and only ever removed with its exact quantity (checked above), so reserved stays the sum of
    /// the reservations event by event; <see cref="AssertReservationsAddUp"/> checks the whole of it where a state
    /// comes from elsewhere (a snapshot).
    /// </remarks>
    private static void AssertUnitsAddUp(StockState s, StockEvent @event)
    {
        if (s.Available < 0 || s.Reserved < 0 || s.Sold < 0 || s.TotalAdded > ProductRules.MaxUnits
            || s.Available + s.Reserved + s.Sold != s.TotalAdded)
        {
            throw new InvariantViolationException(
                $"product {s.Sku}: {@event} would leave available {s.Available}, reserved {s.Reserved}, sold {s.Sold} of {s.TotalAdded} added");
        }
    }

    /// <summary>Asserts that every reservation is positive and that reserved is their sum: for a state restored whole.</summary>
    public static void AssertReservationsAddUp(StockState s)
    {
        var reservations = 0L;
        foreach (var quantity in s.Reservations.Values)
        {
            if (quantity <= 0)
            {
                throw new InvariantViolationException($"product {s.Sku}: a reservation of {quantity} units");
            }
            reservations += quantity;
        }
        if (s.Reserved != reservations || s.Available + s.Reserved + s.Sold != s.TotalAdded)
        {
            throw new InvariantViolationException(
                $"product {s.Sku}: reserved {s.Reserved} but the orders hold {reservations}; available {s.Available}, sold {s.Sold} of {s.TotalAdded} added");
        }
    }

    private static InvariantViolationException Broken(StockState state, StockEvent @event, string why) =>
        new($"product {state.Sku}: malformed event {@event}: {why}");
}
