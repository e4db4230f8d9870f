namespace Cohort.Runtime.Entities;

/// <summary>An event as the journal holds it: whose, which number, caused by which request, when.</summary>
public readonly record struct JournaledEvent<TEvent>(string EntityId, long SeqNr, string RequestId, TEvent Event, DateTime At);
