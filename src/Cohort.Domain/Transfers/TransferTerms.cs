namespace Cohort.Domain.Transfers;

/// <summary>What a transfer moves, from whom, to whom. Its events carry it, so each step can be sent from the event alone.</summary>
public sealed record TransferTerms(string From, string To, string Asset, decimal Amount);
