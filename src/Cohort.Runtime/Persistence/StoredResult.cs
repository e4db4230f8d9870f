namespace Cohort.Runtime.Persistence;

/// <summary>The first answer given to a request id, and the hash of the command it answered.</summary>
public readonly record struct StoredResult(byte[] PayloadHash, string ResultJson);
