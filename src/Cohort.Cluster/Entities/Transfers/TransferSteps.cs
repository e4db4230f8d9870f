using Cohort.Domain.Transfers;

namespace Cohort.Cluster.Entities.Transfers;

/// <summary>
/// The deterministic request ids of a transfer's steps, <c>&lt;transferId&gt;:debit</c> and so on: sent again
/// after any crash, each is still applied once by its account.
/// </summary>
public static class TransferSteps
{
    public static string RequestId(string transferId, TransferStep step) => $"{transferId}:{Suffix(step)}";

    public static bool TryParse(string requestId, out string transferId, out TransferStep step)
    {
        var colon = requestId.LastIndexOf(':');
        transferId = colon > 0 ? requestId[..colon] : "";
        TransferStep? parsed = colon > 0 ? requestId[(colon + 1)..] switch
        {
            "debit" => TransferStep.Debit,
            "credit" => TransferStep.Credit,
            "refund" => TransferStep.Refund,
            _ => null,
        } : null;
        step = parsed ?? default;
        return parsed is not null;
    }

    private static string Suffix(TransferStep step) => step switch
    {
        TransferStep.Debit => "debit",
        TransferStep.Credit => "credit",
        TransferStep.Refund => "refund",
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, null),
    };
}
