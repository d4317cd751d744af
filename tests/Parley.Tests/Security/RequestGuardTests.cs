using System.Net;
using Parley.Testing;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Security;

/// <summary>Cross-site request forgery protection and per-client rate limits that fail closed.</summary>
public sealed class RequestGuardTests : AppTest
{
    [Fact]
    public async Task A_cookie_request_without_the_dashboard_header_or_from_another_site_is_refused()
    {
        var (admin, _) = await SignUpAsync(App);
        using var created = await admin.PostAsync("/api/api-keys", new { name = "before" });
        await ApiSession.ReadAsync(created, HttpStatusCode.Created);

        admin.Client.DefaultRequestHeaders.Remove(Parley.Functions.Identity.CsrfProtection.HeaderName);
        using var noHeader = await admin.PostAsync("/api/api-keys", new { name = "forged" });
        admin.Client.DefaultRequestHeaders.Add(Parley.Functions.Identity.CsrfProtection.HeaderName, "dashboard");
        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "/api/api-keys") { Content = System.Net.Http.Json.JsonContent.Create(new { name = "forged" }) };
        crossSite.Headers.Add("Origin", "https://evil.example");
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var crossSiteResponse = await admin.Client.SendAsync(crossSite);
        using var read = await admin.GetAsync("/api/api-keys");

        Assert.Equal(HttpStatusCode.Forbidden, noHeader.StatusCode);
        Assert.Equal("application/problem+json", noHeader.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, crossSiteResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Single((await admin.GetJsonAsync("/api/api-keys")).EnumerateArray());
    }

    [Fact]
    public async Task Sign_up_is_limited_per_client_address_and_other_addresses_are_unaffected()
    {
        using var busy = App.NewSession();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 11; i++)
        {
            // Invalid bodies are cheap to send but still count: the limit comes before any work.
            using var response = await busy.PostAsync("/api/accounts", new { businessName = "" });
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.NotNull(response.Headers.RetryAfter);
            }
        }
        using var other = App.NewSession();
        using var fromElsewhere = await other.PostAsync("/api/accounts", new { businessName = "" });

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.BadRequest, 10).Append(HttpStatusCode.TooManyRequests), statuses);
        Assert.Equal(HttpStatusCode.BadRequest, fromElsewhere.StatusCode);
    }

    [Fact]
    public async Task A_spoofed_forwarded_for_prefix_does_not_escape_the_limit()
    {
        using var session = App.NewSession();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 11; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/accounts") { Content = System.Net.Http.Json.JsonContent.Create(new { businessName = "" }) };
            request.Headers.Remove("X-Forwarded-For");
            // The client forges an entry; the trusted front end appends the real address last.
            request.Headers.Add("X-Forwarded-For", $"10.0.0.{i}, {session.ClientAddress}");
            using var response = await session.Client.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    [Fact]
    public async Task Ipv6_clients_in_one_64_bit_prefix_share_one_allowance()
    {
        // A client that holds a /64 cannot escape the limit by using another address for every request.
        var prefix = $"2001:db8:{Random.Shared.Next(0x10000):x}:{Random.Shared.Next(0x10000):x}";
        using var session = App.NewSession();
        var statuses = new List<HttpStatusCode>();
        for (var i = 1; i <= 11; i++)
        {
            statuses.Add(await SignUpFromAsync(session, $"{prefix}:{i:x}::{i:x}"));
        }
        var otherPrefix = await SignUpFromAsync(session, $"{prefix[..^1]}{(prefix[^1] == '0' ? '1' : '0')}::1");

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.BadRequest, 10).Append(HttpStatusCode.TooManyRequests), statuses);
        Assert.Equal(HttpStatusCode.BadRequest, otherPrefix);
    }

    private static async Task<HttpStatusCode> SignUpFromAsync(ApiSession session, string address)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/accounts") { Content = System.Net.Http.Json.JsonContent.Create(new { businessName = "" }) };
        request.Headers.Remove("X-Forwarded-For");
        request.Headers.Add("X-Forwarded-For", address);
        using var response = await session.Client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task When_the_limiter_cannot_reach_storage_sign_in_is_refused_not_allowed()
    {
        var azurite = await Azurite.SharedAsync();
        await using var proxy = new PausableTcpProxy(azurite.TablePort);
        var email = NewEmail();
        await SignUpAsync(App, email);
        await using var app = await ParleyApp.StartAsync(new()
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString.Replace($"127.0.0.1:{azurite.TablePort}", $"127.0.0.1:{proxy.Port}", StringComparison.Ordinal),
            // Long enough for a loaded machine before the pause, short enough to fail fast during it.
            ["Storage:NetworkTimeout"] = "00:00:02",
            ["Storage:MaxRetries"] = "0",
        });
        using var session = app.NewSession();

        proxy.Pause();
        using var response = await session.PostAsync("/api/auth/sign-in", new { email, password = Password });
        proxy.Resume();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out _));
    }
}
