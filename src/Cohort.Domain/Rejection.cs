namespace Cohort.Domain;

/// <summary>Why a command was refused. Rejections are answers, not events: they never change an entity.</summary>
/// <param name="Code">Stable, machine-readable code such as <c>insufficient_funds</c>; clients branch on it.</param>
public sealed record Rejection(string Code, string Message)
{
    public static Rejection Validation(string message) => new(RejectionCodes.ValidationFailed, message);
}
