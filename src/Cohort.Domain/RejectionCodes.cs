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
    public const string UsernameTaken = "username_taken";
    public const string TooManyAttempts = "too_many_attempts";
}
