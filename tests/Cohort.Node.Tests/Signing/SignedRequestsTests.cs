using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Cohort.Node.Signing;
using Cohort.Node.Tests.Support;
using Npgsql;

namespace Cohort.Node.Tests.Signing;

/// <summary>
/// Signing through a real node process over HTTP. In the node-process collection (by name, so no type of it is
/// needed) because whole nodes running side by side would starve each other of the two cores.
/// </summary>
[Collection("node-processes")]
public sealed class SignedRequestsTests(SignedNodeFixture node) : IClassFixture<SignedNodeFixture>
{
    private const string Asset = "USD";

    [Fact]
    public async Task Signed_deposit_applies()
    {
        var account = NewAccount();

        using var response = await SendAsync(Deposit(account, "12.50"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(12.50m, await AvailableAsync(account));
    }

    [Fact]
    public async Task Tampered_body_is_refused_and_changes_nothing()
    {
        var account = NewAccount();
        await DepositAsync(account, "5");
        var requestId = Guid.NewGuid().ToString("N");

        using var response = await SendAsync(SignedRequests.Create(HttpMethod.Post, DepositPath(account),
            DepositBody(requestId, "5000"), SignedNodeFixture.KeyId, node.Key, signedBody: DepositBody(requestId, "5")));

        await AssertProblemAsync(response, SigningFailure.SignatureInvalid);
        Assert.Equal(5m, await AvailableAsync(account));
    }

    [Fact]
    public async Task Stale_timestamp_is_refused()
    {
        var account = NewAccount();

        using var response = await SendAsync(SignedRequests.Create(HttpMethod.Post, DepositPath(account),
            DepositBody(Guid.NewGuid().ToString("N"), "1"), SignedNodeFixture.KeyId, node.Key,
            timestamp: DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds()));

        await AssertProblemAsync(response, SigningFailure.TimestampStale);
        Assert.Equal(0m, await AvailableAsync(account));
    }

    [Fact]
    public async Task Replayed_request_is_refused_and_applies_once()
    {
        var account = NewAccount();
        using var original = Deposit(account, "7");
        using var replay = await SignedRequests.CopyAsync(original);

        using var first = await SendAsync(original);
        using var second = await SendAsync(replay);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await AssertProblemAsync(second, SigningFailure.NonceReused);
        Assert.Equal(7m, await AvailableAsync(account));
        Assert.Equal(1L, await EventCountAsync(account));
    }

    [Fact]
    public async Task Unsigned_request_is_refused()
    {
        var account = NewAccount();
        using var request = new HttpRequestMessage(HttpMethod.Post, DepositPath(account))
        {
            Content = new StringContent(DepositBody(Guid.NewGuid().ToString("N"), "1"), null, "application/json"),
        };

        using var response = await SendAsync(request);

        await AssertProblemAsync(response, SigningFailure.SignatureMissing);
        Assert.Equal(0m, await AvailableAsync(account));
    }

    [Fact]
    public async Task Unsigned_get_is_refused_too()
    {
        using var response = await node.Http.GetAsync($"/api/v1/accounts/{NewAccount()}");

        await AssertProblemAsync(response, SigningFailure.SignatureMissing);
    }

    [Fact]
    public async Task Path_in_other_case_is_not_a_way_around()
    {
        using var response = await node.Http.GetAsync($"/API/v1/accounts/{NewAccount()}");

        await AssertProblemAsync(response, SigningFailure.SignatureMissing);
    }

    // Kestrel decodes and normalizes the path before routing; each spelling must be refused or find no endpoint.
    [Theory]
    [InlineData("/%61pi/v1/accounts/{0}")]
    [InlineData("/./api/v1/accounts/{0}")]
    [InlineData("/health/../api/v1/accounts/{0}")]
    [InlineData("/health/%2e%2e/api/v1/accounts/{0}")]
    [InlineData("//api/v1/accounts/{0}")]
    [InlineData("/api%2fv1/accounts/{0}")]
    [InlineData("/api/v1/accounts/{0}/")]
    public async Task No_spelling_of_the_path_reaches_an_account_unsigned(string template)
    {
        var target = string.Format(CultureInfo.InvariantCulture, template, NewAccount());
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(node.Http.BaseAddress!.Host, node.Http.BaseAddress.Port);
        var stream = tcp.GetStream();
        // Raw bytes: HttpClient would normalize the very spellings under test.
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
        var statusLine = await new StreamReader(stream).ReadLineAsync();

        Assert.True(statusLine is "HTTP/1.1 401 Unauthorized" or "HTTP/1.1 404 Not Found", $"{target}: {statusLine}");
    }

    [Fact]
    public async Task Unknown_key_is_refused()
    {
        var account = NewAccount();

        using var response = await SendAsync(SignedRequests.Create(HttpMethod.Post, DepositPath(account),
            DepositBody(Guid.NewGuid().ToString("N"), "1"), "svc-unknown", node.Key));

        await AssertProblemAsync(response, SigningFailure.UnknownKey);
        Assert.Equal(0m, await AvailableAsync(account));
    }

    [Fact]
    public async Task Oversized_body_is_a_validation_failure()
    {
        var account = NewAccount();
        var body = DepositBody(Guid.NewGuid().ToString("N"), "1").Replace("{", "{\"pad\":\"" + new string('x', 17 * 1024) + "\",");

        using var response = await SendAsync(SignedRequests.Create(HttpMethod.Post, DepositPath(account), body,
            SignedNodeFixture.KeyId, node.Key));

        await AssertProblemAsync(response, "validation_failed", HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    [InlineData("/metrics")]
    [InlineData("/admin/cluster")]
    public async Task Operator_endpoints_need_no_signature(string path)
    {
        // /admin takes an admin token, signed or not; the others nothing.
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = TestAuth.AdminHeader } };
        using var response = await node.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_bearer_token_stands_in_for_a_signature_and_its_rules_apply()
    {
        var account = NewAccount();
        await DepositAsync(account, "3");

        using var read = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/accounts/{account}")
        {
            Headers = { Authorization = new("Bearer", TestAuth.TokenFor(account)) },
        };
        using var readResponse = await node.Http.SendAsync(read);
        using var deposit = new HttpRequestMessage(HttpMethod.Post, DepositPath(account))
        {
            Content = new StringContent(DepositBody(Guid.NewGuid().ToString("N"), "1"), null, "application/json"),
            Headers = { Authorization = new("Bearer", TestAuth.TokenFor(account)) },
        };
        using var depositResponse = await node.Http.SendAsync(deposit);

        Assert.Equal(HttpStatusCode.OK, readResponse.StatusCode);
        await AssertProblemAsync(depositResponse, "forbidden", HttpStatusCode.Forbidden);
        Assert.Equal(3m, await AvailableAsync(account));
    }

    private static string NewAccount() => $"sig-{Guid.NewGuid():N}";

    private static string DepositPath(string account) => $"/api/v1/accounts/{account}/deposit";

    private static string DepositBody(string requestId, string amount) =>
        $$"""{"requestId":"{{requestId}}","asset":"{{Asset}}","amount":"{{amount}}"}""";

    private HttpRequestMessage Deposit(string account, string amount) =>
        SignedRequests.Create(HttpMethod.Post, DepositPath(account), DepositBody(Guid.NewGuid().ToString("N"), amount),
            SignedNodeFixture.KeyId, node.Key);

    private async Task DepositAsync(string account, string amount)
    {
        using var request = Deposit(account, amount);
        using var response = await SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>The balance as a signed GET reads it, 0 when the account has none.</summary>
    private async Task<decimal> AvailableAsync(string account)
    {
        using var request = SignedRequests.Create(HttpMethod.Get, $"/api/v1/accounts/{account}", null, SignedNodeFixture.KeyId, node.Key);
        using var response = await SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        foreach (var balance in doc.RootElement.GetProperty("balances").EnumerateArray())
        {
            if (balance.GetProperty("asset").GetString() == Asset)
            {
                return decimal.Parse(balance.GetProperty("available").GetString()!, CultureInfo.InvariantCulture);
            }
        }
        return 0m;
    }

    private async Task<long> EventCountAsync(string account)
    {
        await using var connection = new NpgsqlConnection(node.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM event_journal WHERE persistence_id = 'account|' || $1 AND manifest <> 'refused.v1'", connection);
        command.Parameters.AddWithValue(account);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => node.Http.SendAsync(request);

    private static async Task AssertProblemAsync(
        HttpResponseMessage response, string code, HttpStatusCode status = HttpStatusCode.Unauthorized)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status} {code}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(text);
        Assert.Equal(code, doc.RootElement.GetProperty("code").GetString());
        if (status == HttpStatusCode.Unauthorized)
        {
            Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Cohort-HMAC-SHA256");
        }
    }
}
