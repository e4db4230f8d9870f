namespace Cohort.Domain.Tests;

public class RejectionTests
{
    [Fact]
    public void Validation_uses_the_validation_failed_code()
    {
        var rejection = Rejection.Validation("asset is required");

        Assert.Equal("validation_failed", rejection.Code);
        Assert.Equal("asset is required", rejection.Message);
    }

    [Fact]
    public void The_public_codes_are_stable()
    {
        // Clients branch on these strings: renaming one is a breaking change of the public surface.
        Assert.Equal("validation_failed", RejectionCodes.ValidationFailed);
        Assert.Equal("insufficient_funds", RejectionCodes.InsufficientFunds);
        Assert.Equal("insufficient_frozen", RejectionCodes.InsufficientFrozen);
        Assert.Equal("balance_limit_exceeded", RejectionCodes.BalanceLimitExceeded);
        Assert.Equal("idempotency_conflict", RejectionCodes.IdempotencyConflict);
    }
}
