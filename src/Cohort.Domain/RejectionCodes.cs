namespace Cohort.Domain;

/// <summary>The stable error codes of the public surface. Renaming one is a breaking change.</summary>
public static class RejectionCodes
{
    public const string ValidationFailed = "validation_failed";
    public const string InsufficientFunds = "insufficient_funds";
    public const string InsufficientFrozen = "insufficient_frozen";
    public const string BalanceLimitExceeded = "balance_limit_exceeded";
    public const string IdempotencyConflict = "idempotency_conflict";
    public const string NotFound = "not_found";
    public const string SoldOut = "sold_out";
    public const string ReservationNotFound = "reservation_not_found";
    public const string AlreadyPurchased = "already_purchased";
    public const string OrderPending = "order_pending";
    public const string PaymentInProgress = "payment_in_progress";
    public const string OrderPaid = "order_paid";
    public const string OrderClosed = "order_closed";
    public const string CartEmpty = "cart_empty";
    public const string UsernameTaken = "username_taken";
    public const string TooManyAttempts = "too_many_attempts";
}
