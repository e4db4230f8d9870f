namespace Cohort.Runtime.Ask;

/// <summary>
/// The owner did not answer in time. The command may still be applied later: retrying it with the same
/// request id is safe and returns its one result.
/// </summary>
public sealed class AskTimeoutException(string entityType, string entityId, TimeSpan timeout)
    : Exception($"no answer for {entityType} {entityId} within {timeout.TotalMilliseconds:0} ms");
