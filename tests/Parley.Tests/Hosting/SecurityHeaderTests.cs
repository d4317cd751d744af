using System.Net;
using Parley.Functions.Hosting;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Hosting;

/// <summary>
/// Every kind of page carries the security headers: the dashboard, the widget frame (framable by any site, nothing
/// else relaxed), the customer pages (dialog reply, set-password), the API. HTML says its charset; HTTPS deployments
/// send HSTS; no response names the server.
/// </summary>
public sealed class SecurityHeaderTests : AppTest
{
    [Theory]
    [InlineData("/", "dashboard")]
    [InlineData("/cases", "dashboard")]
    [InlineData("/settings/account", "dashboard")]
    [InlineData("/index.html", "dashboard")]
    [InlineData("/widget/aaaaaaaaaaaaaaaa-bbbbbbbbbbbbbbbb", "widget frame")]
    [InlineData("/reply", "customer page")]
    [InlineData("/set-password", "customer page")]
    [InlineData("/meet", "meeting page")]
    [InlineData("/book/no-such-page-here", "booking page")]
    [InlineData("/booking", "booking page")]
    public async Task Every_kind_of_page_carries_the_security_headers_and_says_its_charset(string path, string kind)
    {
        using var client = App.CreateClient();

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<html", html);
        Assert.Equal(kind == "meeting page", html.Contains("/meet.js", StringComparison.Ordinal)); // its own small page, not the dashboard
        Assert.Equal(kind == "booking page", html.Contains("/book.js", StringComparison.Ordinal));
        AssertCommonHeaders(response);
        var csp = Header(response, "Content-Security-Policy");
        if (kind == "widget frame")
        {
            Assert.Equal(SecurityHeaders.ContentSecurityPolicy.Replace("frame-ancestors 'none'", "frame-ancestors *", StringComparison.Ordinal), csp);
            Assert.False(response.Headers.Contains("X-Frame-Options"));
        }
        else
        {
            Assert.Equal(SecurityHeaders.ContentSecurityPolicy, csp);
            Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        }
    }

    [Fact]
    public async Task A_booking_page_may_be_framed_by_its_accounts_websites_only()
    {
        var (admin, me) = await Infrastructure.Accounts.SignUpAsync(App);
        var handle = Parley.Tests.Booking.AvailabilityApiTests.NewHandle("frame");
        await ApiSession.ReadAsync(await admin.PatchAsync("/api/account", new { embedOrigins = new[] { "https://www.shop.example", "http://127.0.0.1:5055" } }), HttpStatusCode.OK);
        await ApiSession.ReadAsync(await admin.PutAsync($"/api/operators/{Parley.Tests.Booking.AvailabilityApiTests.OperatorId(me)}/availability", new { enabled = true, handle }), HttpStatusCode.OK);
        using var client = App.CreateClient();

        using var page = await client.GetAsync($"/book/{handle}");
        using var manage = await client.GetAsync("/booking");

        Assert.Equal(SecurityHeaders.ContentSecurityPolicy.Replace("frame-ancestors 'none'", "frame-ancestors 'self' https://www.shop.example http://127.0.0.1:5055", StringComparison.Ordinal),
            Header(page, "Content-Security-Policy"));
        Assert.False(page.Headers.Contains("X-Frame-Options"));
        Assert.Equal(SecurityHeaders.ContentSecurityPolicy, Header(manage, "Content-Security-Policy")); // the booker's own link is never framed
        Assert.Equal("DENY", Header(manage, "X-Frame-Options"));
    }

    [Theory]
    [InlineData("/api/health", HttpStatusCode.OK)]
    [InlineData("/api/cases/aaaaaaaaaaaaaaaa", HttpStatusCode.Unauthorized)]
    [InlineData("/app.js", HttpStatusCode.OK)]
    public async Task Api_answers_and_assets_carry_them_too(string path, HttpStatusCode status)
    {
        using var client = App.CreateClient();

        using var response = await client.GetAsync(path);

        Assert.Equal(status, response.StatusCode);
        AssertCommonHeaders(response);
        Assert.Equal(SecurityHeaders.ContentSecurityPolicy, Header(response, "Content-Security-Policy"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
    }

    [Theory]
    [InlineData("Production", "https://parley.example", true)]
    [InlineData("Production", "http://parley.example", false)]
    [InlineData("Production", "https://localhost", false)]
    [InlineData("Development", "https://parley.example", false)]
    public async Task Https_deployments_send_hsts(string environment, string origin, bool expected)
    {
        await using var app = await ParleyApp.StartAsync(environment: environment);
        using var client = app.CreateClient(new() { BaseAddress = new Uri(origin) });

        using var response = await client.GetAsync("/api/health");

        Assert.Equal(expected, response.Headers.TryGetValues("Strict-Transport-Security", out var hsts));
        if (expected)
        {
            Assert.Equal(SecurityHeaders.StrictTransportSecurity, Assert.Single(hsts!));
        }
    }

    [Fact]
    public async Task Under_the_functions_host_every_response_sends_hsts_since_the_host_forwards_over_http()
    {
        await using var app = await ParleyApp.StartAsync(new() { [HostingMode.CustomHandlerPortSetting] = "0" }, environment: "Production");
        foreach (var forwardedTo in new[] { "http://parley-func.azurewebsites.net", "http://127.0.0.1:7071" })
        {
            using var client = app.CreateClient(new() { BaseAddress = new Uri(forwardedTo) });

            using var response = await client.GetAsync("/api/health");

            Assert.Equal(SecurityHeaders.StrictTransportSecurity, Header(response, "Strict-Transport-Security"));
        }
    }

    [Fact]
    public async Task Kestrel_does_not_name_itself()
    {
        await using var app = await ParleyApp.StartOnKestrelAsync();
        using var client = new HttpClient { BaseAddress = app.BaseUrl };

        using var page = await client.GetAsync("/");
        using var api = await client.GetAsync("/api/health");
        using var missing = await client.GetAsync("/api/no-such-route");

        Assert.All(new[] { page, api, missing }, r => Assert.False(r.Headers.Contains("Server"), $"{r.RequestMessage!.RequestUri} names the server: {string.Join(",", r.Headers.Server)}"));
        Assert.Equal("text/html; charset=utf-8", page.Content.Headers.ContentType?.ToString());
    }

    private static void AssertCommonHeaders(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.False(response.Headers.Contains("Strict-Transport-Security")); // http://localhost in Testing
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : throw new Xunit.Sdk.XunitException($"{response.RequestMessage?.RequestUri} has no {name} header");
}
