using Cohort.Domain;

namespace Cohort.Node.Http;

/// <summary>Errors as RFC 9457 problem+json, each with the stable <c>code</c> clients branch on.</summary>
internal static class Problems
{
    public const string Timeout = "timeout";
    public const string Unavailable = "unavailable";
    public const string NotFound = RejectionCodes.NotFound;
    public const string CommandFailed = "command_failed";
    public const string RateLimited = "rate_limited";
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string InvalidCredentials = "invalid_credentials";

    public static IResult Of(string code, string detail) => Results.Json(
        new { type = $"https://cohort.dev/problems/{code}", title = Title(code), status = StatusOf(code), detail, code },
        statusCode: StatusOf(code),
        contentType: "application/problem+json");

    public static IResult Validation(string detail) => Of(RejectionCodes.ValidationFailed, detail);

    public static int StatusOf(string code) => code switch
    {
        RejectionCodes.ValidationFailed => StatusCodes.Status400BadRequest,
        NotFound => StatusCodes.Status404NotFound,
        Timeout => StatusCodes.Status504GatewayTimeout,
        Unavailable => StatusCodes.Status503ServiceUnavailable,
        CommandFailed => StatusCodes.Status500InternalServerError,
        RateLimited => StatusCodes.Status429TooManyRequests,
        Unauthorized or InvalidCredentials => StatusCodes.Status401Unauthorized,
        Forbidden => StatusCodes.Status403Forbidden,
        RejectionCodes.TooManyAttempts => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status409Conflict,
    };

    private static string Title(string code) => code switch
    {
        RejectionCodes.ValidationFailed => "The request is not valid",
        RejectionCodes.InsufficientFunds => "Insufficient available funds",
        RejectionCodes.InsufficientFrozen => "Insufficient frozen funds",
        RejectionCodes.BalanceLimitExceeded => "The balance would exceed its limit",
        RejectionCodes.IdempotencyConflict => "The request id was used for a different request",
        RejectionCodes.SoldOut => "Not enough units available",
        RejectionCodes.ReservationNotFound => "The order holds no reservation",
        RejectionCodes.AlreadyPurchased => "This account already bought this product in the sale",
        RejectionCodes.OrderPending => "The order is still reserving its units",
        RejectionCodes.PaymentInProgress => "The order is being paid",
        RejectionCodes.OrderPaid => "The order is paid",
        RejectionCodes.OrderClosed => "The order is closed",
        RejectionCodes.CartEmpty => "The cart is empty",
        Timeout => "No answer in time; retry with the same request id",
        Unavailable => "Cannot take the request now; retry with the same request id",
        CommandFailed => "The entity failed on this command and did not apply it",
        NotFound => "Not found",
        RateLimited => "Too many requests; retry after the time in Retry-After",
        Unauthorized => "A valid bearer token is required",
        Forbidden => "The token does not allow this",
        InvalidCredentials => "Wrong username or password",
        RejectionCodes.TooManyAttempts => "Too many failed logins; try again later",
        RejectionCodes.UsernameTaken => "The username is taken",
        _ => "The command was refused",
    };
}
