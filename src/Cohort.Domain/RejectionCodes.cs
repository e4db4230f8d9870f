namespace Cohort.Domain;

/// <summary>The stable error codes of the public surface. Renaming one is a breaking change.</summary>
public static class RejectionCodes
{
    public const string ValidationFailed = "validation_failed";
    public const string InsufficientFunds = "insufficient_funds";
    public const string InsufficientFrozen = "insufficient_frozen";
    public const string BalanceLimitExceeded = "balance_limit_exceeded";
    public const string IdempotencyConflict = "idempotency_conflict";
}
