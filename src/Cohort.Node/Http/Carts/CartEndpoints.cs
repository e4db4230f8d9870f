using System.Buffers;
using System.Text.Json;
using Akka.Hosting;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Carts;
using Cohort.Domain;
using Cohort.Node.Auth;

namespace Cohort.Node.Http.Carts;

/// <summary>
/// The cart API over the cart entity: <c>/api/v1/accounts/{accountId}/cart</c>. GET reads the cart, PUT replaces
/// every line (<c>{"requestId","lines":[{"sku","quantity"}]}</c>), DELETE empties it, its request id in the query
/// (<c>?requestId=</c>) since a DELETE carries no body.
/// </summary>
internal static class CartEndpoints
{
    /// <summary>Only the account itself, an admin or a service acts on a cart.</summary>
    public static void MapCartEndpoints(this WebApplication app)
    {
        var cart = app.MapGroup("/api/v1/accounts/{accountId}/cart").RequireAccount();
        cart.MapGet("/", GetCartAsync);
        cart.MapPut("/", SetCartAsync);
        cart.MapDelete("/", ClearCartAsync);
        cart.MapPost("/checkout", CartCheckout.CheckOutAsync);
    }

    /// <summary>The cart from its entity: a command answered before this GET shows in it. An account never seen has an empty cart.</summary>
    private static async Task<IResult> GetCartAsync(string accountId, IRequiredActor<CartRegion> region, EntityAsk ask, CancellationToken ct)
    {
        if (!Identifier.IsValid(accountId))
        {
            return Problems.Validation(CartCommandParser.AccountIdRule);
        }
        var reply = await ask.AskAsync(region.ActorRef, CartRegion.TypeName, new GetCart(accountId), ct);
        if (reply is not CartView cart)
        {
            return Problems.Of(Problems.Timeout, $"the cart of account '{accountId}' did not answer in time; retry");
        }
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            cart.WriteProperties(writer);
            writer.WriteEndObject();
        }
        return Results.Bytes(buffer.WrittenMemory.ToArray(), "application/json; charset=utf-8");
    }

    private static async Task<IResult> SetCartAsync(
        string accountId, HttpRequest request, IRequiredActor<CartRegion> region, EntityAsk ask, CancellationToken ct)
    {
        var (doc, error) = await JsonBody.ReadAsync(request, ct);
        if (doc is null)
        {
            return Problems.Validation(error!);
        }
        using (doc)
        {
            return await SendAsync(CartCommandParser.Read(doc.RootElement, "set", accountId), "set", accountId, region, ask, ct);
        }
    }

    private static Task<IResult> ClearCartAsync(
        string accountId, HttpRequest request, IRequiredActor<CartRegion> region, EntityAsk ask, CancellationToken ct)
    {
        var requestId = request.Query["requestId"];
        if (requestId.Count > 1)
        {
            return Task.FromResult(Problems.Validation("give requestId once"));
        }
        return SendAsync(CartCommandParser.Clear(accountId, requestId.ToString()), "clear", accountId, region, ask, ct);
    }

    private static async Task<IResult> SendAsync(
        Parsed<CartCommandEnvelope> parsed, string type, string accountId, IRequiredActor<CartRegion> region, EntityAsk ask,
        CancellationToken ct)
    {
        if (parsed.Message is not { } envelope)
        {
            return Problems.Validation(parsed.Error!);
        }
        var reply = await ask.AskAsync(region.ActorRef, CartRegion.TypeName, envelope, ct);
        return EntityAsk.ToResult(reply, $"{type} '{envelope.RequestId}' of the cart of account '{accountId}'");
    }
}
