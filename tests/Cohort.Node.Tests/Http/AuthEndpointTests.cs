using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Cohort.Cluster.Auth;
using Cohort.Node.Tests.Support;

namespace Cohort.Node.Tests.Http;

/// <summary>One node with auth on (as always) and a short lockout; its client sends no token unless a test gives one.</summary>
public sealed class AuthNodeFixture : SingleNodeFixture
{
    public const int MaxFailedLogins = 3;

    protected override bool SendsAdminToken => false;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Cohort:Node:AskTimeout"] = "00:00:20",
        ["Cohort:Auth:MaxFailedLogins"] = MaxFailedLogins.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Cohort:Auth:Lockout"] = "00:05:00",
    };
}

/// <summary>
/// Users and bearer tokens through a real node: registration (one winner per name, even under concurrency), login
/// (a token, 401, the lock), and who may do what with which token.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class AuthEndpointTests(AuthNodeFixture node) : IClassFixture<AuthNodeFixture>
{
    private const string Password = "correct horse battery";

    [Fact]
    public async Task Register_creates_the_user_and_names_its_account_in_lowercase()
    {
        var name = NewName();

        var (status, body) = await RegisterAsync(name.ToUpperInvariant(), Password);

        Assert.Equal(HttpStatusCode.Created, status);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal(name, doc.RootElement.GetProperty("username").GetString());
        Assert.Equal(name, doc.RootElement.GetProperty("accountId").GetString());
        Assert.DoesNotContain("pbkdf2", body, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_name_have_exactly_one_winner()
    {
        var name = NewName();

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => RegisterAsync(name, $"{Password}-{i}")));

        Assert.Single(answers, a => a.Status == HttpStatusCode.Created);
        Assert.All(answers.Where(a => a.Status != HttpStatusCode.Created), a =>
        {
            Assert.Equal(HttpStatusCode.Conflict, a.Status);
            Assert.Equal("username_taken", Code(a.Body));
        });
    }

    [Fact]
    public async Task A_name_whose_account_holds_funds_is_taken()
    {
        var name = NewName();
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, $"/api/v1/accounts/{name}/deposit", Deposit("1"), TestAuth.AdminToken)).Status);

        var (status, body) = await RegisterAsync(name, Password);

        Assert.Equal((HttpStatusCode.Conflict, "username_taken"), (status, Code(body)));
    }

    [Fact]
    public async Task Login_answers_a_token_that_acts_on_its_own_account_only()
    {
        var name = await RegisteredAsync();

        var token = await LoginAsync(name, Password);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, $"/api/v1/accounts/{name}", null, token)).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, $"/api/v1/accounts/{name}/ledger", null, token)).Status);
        AssertProblem(await SendAsync(HttpMethod.Get, $"/api/v1/accounts/{NewName()}", null, token), HttpStatusCode.Forbidden, "forbidden");
        AssertProblem(await SendAsync(HttpMethod.Get, $"/api/v1/accounts/{NewName()}/ledger", null, token), HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Me_is_the_profile_without_any_password_hash()
    {
        var name = await RegisteredAsync();
        var token = await LoginAsync(name, Password);

        var (status, body) = await SendAsync(HttpMethod.Get, "/api/v1/users/me", null, token);

        Assert.Equal(HttpStatusCode.OK, status);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal(name, doc.RootElement.GetProperty("username").GetString());
        Assert.Equal($"{name}@example.com", doc.RootElement.GetProperty("email").GetString());
        Assert.NotEqual(JsonValueKind.Null, doc.RootElement.GetProperty("lastLoginAt").ValueKind);
        Assert.DoesNotContain("pbkdf2", body, StringComparison.Ordinal);
        Assert.DoesNotContain("password", body, StringComparison.OrdinalIgnoreCase);
        AssertProblem(await SendAsync(HttpMethod.Get, "/api/v1/users/me", null, null), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task A_wrong_password_or_an_unknown_name_is_401()
    {
        var name = await RegisteredAsync();

        AssertProblem(await LoginResponseAsync(name, "not the password"), HttpStatusCode.Unauthorized, "invalid_credentials");
        AssertProblem(await LoginResponseAsync(NewName(), Password), HttpStatusCode.Unauthorized, "invalid_credentials");
    }

    [Fact]
    public async Task Enough_wrong_passwords_lock_the_name_for_good_passwords_too()
    {
        var name = await RegisteredAsync();
        for (var i = 0; i < AuthNodeFixture.MaxFailedLogins; i++)
        {
            AssertProblem(await LoginResponseAsync(name, "not the password"), HttpStatusCode.Unauthorized, "invalid_credentials");
        }

        using var wrong = await PostLoginAsync(name, "not the password");
        using var right = await PostLoginAsync(name, Password);

        foreach (var response in new[] { wrong, right })
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.Equal((HttpStatusCode.TooManyRequests, "too_many_attempts"), (response.StatusCode, Code(text)));
            var retryAfter = response.Headers.RetryAfter?.Delta;
            Assert.True(retryAfter is { } delta && delta > TimeSpan.Zero && delta <= TimeSpan.FromMinutes(5), $"Retry-After {retryAfter}");
        }
    }

    [Fact]
    public async Task No_token_a_foreign_key_an_expired_token_or_garbage_is_401()
    {
        var name = NewName();
        var path = $"/api/v1/accounts/{name}";
        var now = DateTime.UtcNow;
        var options = new AuthOptions();

        var none = await SendAsync(HttpMethod.Get, path, null, null);
        var foreign = await SendAsync(HttpMethod.Get, path, null, TestAuth.Issue(name, admin: true, TimeSpan.FromHours(1), key: new byte[32]));
        var expired = await SendAsync(HttpMethod.Get, path, null,
            AccessTokens.Issue(TestAuth.Key, options.Issuer, options.Audience, name, admin: false, now.AddHours(-2), now.AddMinutes(-5)));
        var garbage = await SendAsync(HttpMethod.Get, path, null, "not-a-jwt");

        AssertProblem(none, HttpStatusCode.Unauthorized, "unauthorized");
        AssertProblem(foreign, HttpStatusCode.Unauthorized, "unauthorized", "signature");
        AssertProblem(expired, HttpStatusCode.Unauthorized, "unauthorized", "expired");
        AssertProblem(garbage, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Admin_acts_on_any_account_and_on_admin_routes_a_user_on_neither()
    {
        var user = TestAuth.TokenFor(NewName());

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, $"/api/v1/accounts/{NewName()}", null, TestAuth.AdminToken)).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/admin/cluster", null, TestAuth.AdminToken)).Status);
        AssertProblem(await SendAsync(HttpMethod.Get, "/admin/cluster", null, user), HttpStatusCode.Forbidden, "forbidden");
        AssertProblem(await SendAsync(HttpMethod.Get, "/admin/cluster", null, null), HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/health/ready", null, null)).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/metrics", null, null)).Status);
    }

    [Fact]
    public async Task Balance_commands_are_service_operations_even_on_ones_own_account()
    {
        var name = NewName();
        var own = TestAuth.TokenFor(name);

        foreach (var command in new[] { "deposit", "withdraw", "freeze", "unfreeze", "settle" })
        {
            AssertProblem(await SendAsync(HttpMethod.Post, $"/api/v1/accounts/{name}/{command}", Deposit("1"), own), HttpStatusCode.Forbidden, "forbidden");
        }
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, $"/api/v1/accounts/{name}/deposit", Deposit("5"), TestAuth.AdminToken)).Status);
        var (status, body) = await SendAsync(HttpMethod.Get, $"/api/v1/accounts/{name}", null, own);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("\"available\":\"5\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_transfer_goes_from_the_callers_account_and_its_parties_read_it()
    {
        var (alice, bob) = (NewName(), NewName());
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, $"/api/v1/accounts/{alice}/deposit", Deposit("10"), TestAuth.AdminToken)).Status);
        var transferId = $"t-{Guid.NewGuid():N}";
        var transfer = $$"""{"requestId":"{{transferId}}","from":"{{alice}}","to":"{{bob}}","asset":"USD","amount":"4"}""";

        AssertProblem(await SendAsync(HttpMethod.Post, "/api/v1/transfers", transfer, TestAuth.TokenFor(bob)), HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, "/api/v1/transfers", transfer, TestAuth.TokenFor(alice))).Status);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, $"/api/v1/transfers/{transferId}", null, TestAuth.TokenFor(bob))).Status);
        AssertProblem(await SendAsync(HttpMethod.Get, $"/api/v1/transfers/{transferId}", null, TestAuth.TokenFor(NewName())),
            HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Products_are_read_by_anyone_and_written_by_admin()
    {
        var sku = $"sku-{Guid.NewGuid():N}"[..20];
        var restock = $$"""{"requestId":"{{Guid.NewGuid():N}}","name":"Mug","price":"1.50","asset":"EUR","addStock":3}""";

        AssertProblem(await SendAsync(HttpMethod.Put, $"/api/v1/products/{sku}", restock, TestAuth.TokenFor(NewName())), HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Put, $"/api/v1/products/{sku}", restock, TestAuth.AdminToken)).Status);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, $"/api/v1/products/{sku}", null, null)).Status);
    }

    private static string NewName() => $"u-{Guid.NewGuid():N}"[..20];

    private static string Deposit(string amount) => $$"""{"requestId":"{{Guid.NewGuid():N}}","asset":"USD","amount":"{{amount}}"}""";

    private async Task<string> RegisteredAsync()
    {
        var name = NewName();
        var (status, body) = await RegisterAsync(name, Password);
        Assert.True(status == HttpStatusCode.Created, body);
        return name;
    }

    private Task<(HttpStatusCode Status, string Body)> RegisterAsync(string username, string password) =>
        SendAsync(HttpMethod.Post, "/api/v1/users/register",
            JsonSerializer.Serialize(new { username, password, email = $"{username.ToLowerInvariant()}@example.com" }), null);

    private async Task<string> LoginAsync(string username, string password)
    {
        var (status, body) = await LoginResponseAsync(username, password);
        Assert.True(status == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal(username, doc.RootElement.GetProperty("accountId").GetString());
        return doc.RootElement.GetProperty("accessToken").GetString()!;
    }

    private Task<(HttpStatusCode Status, string Body)> LoginResponseAsync(string username, string password) =>
        SendAsync(HttpMethod.Post, "/api/v1/users/login", JsonSerializer.Serialize(new { username, password }), null);

    private Task<HttpResponseMessage> PostLoginAsync(string username, string password) =>
        node.Http.PostAsync("/api/v1/users/login", new StringContent(JsonSerializer.Serialize(new { username, password }), Encoding.UTF8, "application/json"));

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpMethod method, string path, string? body, string? token)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        using var response = await node.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static void AssertProblem((HttpStatusCode Status, string Body) answer, HttpStatusCode status, string code, string? detail = null)
    {
        Assert.True(answer.Status == status, $"expected {(int)status} {code}, got {(int)answer.Status}: {answer.Body}");
        Assert.Equal(code, Code(answer.Body));
        if (detail is not null)
        {
            Assert.Contains(detail, answer.Body, StringComparison.Ordinal);
        }
    }

    private static string? Code(string body)
    {
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.TryGetProperty("code", out var code) ? code.GetString() : null;
    }
}
