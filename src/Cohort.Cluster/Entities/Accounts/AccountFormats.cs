using System.Collections.Immutable;
using System.Text.Json;
using Cohort.Cluster.Persistence;
using Cohort.Domain;
using Cohort.Domain.Accounts;

namespace Cohort.Cluster.Entities.Accounts;

/// <summary>
/// The account's JSON forms. Journal records are stored under <c>account.&lt;event&gt;.v1</c>:
/// <c>{"requestId","hash","at","asset","amount","available","frozen"}</c>, plus <c>transferId</c> and
/// <c>counterparty</c> for transfer legs; <c>available</c>/<c>frozen</c> are the asset's balances after the event.
/// </summary>
public static class AccountFormats
{
    private static readonly string[] EventNames =
        ["deposited", "withdrawn", "frozen", "unfrozen", "settled", "transferDebited", "transferCredited", "transferRefunded"];

    public static string EventName(AccountEvent e) => e switch
    {
        Deposited => "deposited",
        Withdrawn => "withdrawn",
        Frozen => "frozen",
        Unfrozen => "unfrozen",
        Settled => "settled",
        TransferDebited => "transferDebited",
        TransferCredited => "transferCredited",
        TransferRefunded => "transferRefunded",
        _ => throw new ArgumentOutOfRangeException(nameof(e), e, "unknown account event"),
    };

    public static string RecordManifest(string eventName) => $"account.{eventName}.v1";

    public static void Register(MessageFormats formats)
    {
        formats
            .Add<AccountRecord>(r => RecordManifest(EventName(r.Event)), WriteRecord,
                EventNames.Select(name => (RecordManifest(name), (Func<JsonElement, AccountRecord>)(e => ReadRecord(name, e)))).ToArray())
            .Add<AccountSnapshot>("account.snapshot.v1", (w, s) =>
            {
                w.WriteStartObject();
                w.WriteStartObject("balances");
                foreach (var (asset, b) in s.State.Balances)
                {
                    w.WriteStartObject(asset);
                    w.WriteAmount("available", b.Available);
                    w.WriteAmount("frozen", b.Frozen);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
                w.WriteString("accountId", s.State.AccountId);
                EntityFormats.WriteRequests(w, formats, s.Requests);
                w.WriteEndObject();
            }, e =>
            {
                var balances = e.GetProperty("balances").EnumerateObject()
                    .ToImmutableSortedDictionary(p => p.Name, p => new AssetBalance(p.Value.Decimal("available"), p.Value.Decimal("frozen")), StringComparer.Ordinal);
                return new AccountSnapshot(new AccountState(e.String("accountId"), balances), EntityFormats.ReadRequests(e, formats));
            })
            .Add<AccountCommandAccepted>("account.accepted.v1", (w, a) => a.WriteBody(w), e => new AccountCommandAccepted(
                e.String("requestId"), e.String("accountId"), e.Long("seqNr"), e.String("asset"), e.Decimal("available"), e.Decimal("frozen")))
            .Add<AccountCommandEnvelope>("account.command.v1", WriteCommand, ReadCommand)
            .AddWireRecord<GetAccount>("account.get.v1")
            .AddWireRecord<AccountBalances>("account.balances.v1");
    }

    private static void WriteRecord(Utf8JsonWriter w, AccountRecord r)
    {
        w.WriteStartObject();
        EntityFormats.WriteStamp(w, r.Stamp);
        w.WriteString("asset", r.Event.Asset);
        w.WriteAmount("amount", r.Event.Amount);
        w.WriteAmount("available", r.After.Available);
        w.WriteAmount("frozen", r.After.Frozen);
        if (r.Event is ITransferLeg leg)
        {
            w.WriteString("transferId", leg.TransferId);
            w.WriteString("counterparty", leg.Counterparty);
        }
        w.WriteEndObject();
    }

    private static AccountRecord ReadRecord(string eventName, JsonElement e)
    {
        var asset = e.String("asset");
        var amount = e.Decimal("amount");
        AccountEvent @event = eventName switch
        {
            "deposited" => new Deposited(asset, amount),
            "withdrawn" => new Withdrawn(asset, amount),
            "frozen" => new Frozen(asset, amount),
            "unfrozen" => new Unfrozen(asset, amount),
            "settled" => new Settled(asset, amount),
            "transferDebited" => new TransferDebited(asset, amount, e.String("transferId"), e.String("counterparty")),
            "transferCredited" => new TransferCredited(asset, amount, e.String("transferId"), e.String("counterparty")),
            "transferRefunded" => new TransferRefunded(asset, amount, e.String("transferId"), e.String("counterparty")),
            _ => throw new InvalidDataException($"unknown account event '{eventName}'"),
        };
        return new AccountRecord(EntityFormats.ReadStamp(e), @event, new AssetBalance(e.Decimal("available"), e.Decimal("frozen")));
    }

    private static void WriteCommand(Utf8JsonWriter w, AccountCommandEnvelope c)
    {
        w.WriteStartObject();
        w.WriteString("type", AccountCommandParser.TypeOf(c.Command));
        w.WriteString("accountId", c.AccountId);
        w.WriteString("requestId", c.RequestId);
        w.WriteString("hash", c.Hash.ToString());
        w.WriteString("asset", c.Command.Asset);
        w.WriteAmount("amount", c.Command.Amount);
        if (AccountCommandParser.Leg(c.Command) is (string transferId, string counterparty))
        {
            w.WriteString("transferId", transferId);
            w.WriteString("counterparty", counterparty);
        }
        w.WriteEndObject();
    }

    private static AccountCommandEnvelope ReadCommand(JsonElement e) =>
        new(e.String("accountId"), e.String("requestId"), RequestHash.Parse(e.String("hash")),
            AccountCommandParser.Create(e.String("type"), e.String("asset"), e.Decimal("amount"), e.OptionalString("transferId"), e.OptionalString("counterparty"))
            ?? throw new InvalidDataException($"'{e.String("type")}' is not an account command"));
}
