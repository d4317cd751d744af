using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Functions.Identity;
using Parley.Testing;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Hosting;

/// <summary>
/// Links Parley sends (set-password, meeting join, dialog reply page, adviser alerts) never take their host from a
/// request: a forged Host header on an anonymous widget request must not decide where the customer's reply link points.
/// </summary>
public sealed class PublicUrlTests
{
    private const string ForgedHost = "evil.example";

    [Fact]
    public async Task Without_app_public_url_links_point_to_the_address_parley_listens_on_whatever_host_the_requests_named()
    {
        await using var app = await ParleyApp.StartOnKestrelAsync(new() { ["Durable:Enabled"] = "true" }); // the engine sends the dialog e-mails
        var origin = app.BaseUrl!.GetLeftPart(UriPartial.Authority); // http://localhost:<port>
        using var http = new HttpClient { BaseAddress = app.BaseUrl };
        var forged = new ForgedHostClient(http);

        var (_, cookie) = await forged.SignUpAsync();
        var links = await CollectLinksAsync(forged, cookie);

        Assert.All(links, link => Assert.StartsWith(origin + "/", link));
        Assert.DoesNotContain(links, link => link.Contains(ForgedHost, StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_app_public_url_links_point_there_whatever_host_the_requests_named()
    {
        await using var app = await ParleyApp.StartAsync(new() { ["App:PublicUrl"] = "https://parley.example/", ["Durable:Enabled"] = "true" });
        using var http = app.CreateClient(new() { BaseAddress = new Uri("https://localhost"), HandleCookies = false });
        var forged = new ForgedHostClient(http);

        var (_, cookie) = await forged.SignUpAsync();
        var links = await CollectLinksAsync(forged, cookie);

        Assert.All(links, link => Assert.StartsWith("https://parley.example/", link));
    }

    [Theory]
    [InlineData("", "Parley cannot start: App__PublicUrl is required under the Functions host: set it to the dashboard's public https address, the origin of every link Parley sends.")]
    [InlineData("https://parley.example/dashboard", "Parley cannot start: App__PublicUrl must be an absolute http(s) address without a path, like https://parley.example.com, not 'https://parley.example/dashboard'.")]
    public async Task Under_the_functions_host_a_missing_or_malformed_app_public_url_stops_startup_with_a_clear_line(string value, string line)
    {
        var azurite = await Azurite.SharedAsync();
        await using var app = AppProcess.Start(new()
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["FUNCTIONS_CUSTOMHANDLER_PORT"] = AppProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["App__PublicUrl"] = value,
        });

        var exitCode = await app.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, exitCode);
        Assert.Equal(line, Assert.Single(app.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    /// <summary>Set-password link, join link, the adviser's alert link and the customer's reply link, all made from forged-Host requests.</summary>
    private static async Task<List<string>> CollectLinksAsync(ForgedHostClient forged, string cookie)
    {
        var links = new List<string>();
        var created = await forged.SendAsync(HttpMethod.Post, "/api/operators", cookie, new { name = "Otto Operator", email = NewEmail("op") }, HttpStatusCode.Created);
        links.Add(created.GetProperty("setPasswordUrl").GetString()!);
        var day = DateTime.UtcNow.AddDays(40).ToString("yyyy-MM-dd"); // appointments start at most two years ahead
        var booked = await forged.SendAsync(HttpMethod.Post, "/api/appointments", cookie, new { @case = new { name = "Case" }, start = $"{day}T10:00", end = $"{day}T11:00" }, HttpStatusCode.Created);
        var appointmentId = booked.GetProperty("appointment").GetProperty("id").GetString();
        links.Add((await forged.SendAsync(HttpMethod.Get, $"/api/appointments/{appointmentId}", cookie, null, HttpStatusCode.OK)).GetProperty("joinUrl").GetString()!);

        await forged.SendAsync(HttpMethod.Post, "/api/dialog-settings/secret-words", cookie, new { word = "demo13" }, HttpStatusCode.Created);
        var alerts = await forged.SendAsync(HttpMethod.Put, "/api/me/dialog-alerts", cookie, new
        {
            email = "alerts@example.com", emailOn = true, voicePhone = (string?)null, voiceOn = false, smsPhone = (string?)null, smsOn = false,
        }, HttpStatusCode.OK);
        // The customer's request is anonymous: exactly the one that must not choose the reply link's host.
        await forged.SendAsync(HttpMethod.Post, $"/api/widget/{alerts.GetProperty("widgetKey").GetString()}/dialogs", null, new
        {
            mode = "wish", wishedDate = "2030-01-11", wishedTime = "10:00", timeZone = "UTC", keyword = "K", message = "Hello", email = "customer@example.com", secretWord = "demo13", language = "en",
        }, HttpStatusCode.Created);
        var dialogId = (await forged.SendAsync(HttpMethod.Get, "/api/dialogs", cookie, null, HttpStatusCode.OK)).GetProperty("items")[0].GetProperty("id").GetString()!;
        await forged.SendAsync(HttpMethod.Post, $"/api/dialogs/{dialogId}/replies", cookie, new { text = "Gladly.", callCustomer = false }, HttpStatusCode.Created);

        // The alert orchestrations send both e-mails; the outbox shows the dialog customer's address as "(hidden)", like every other screen.
        var outbox = await Poll.ForAsync("both dialog e-mails are in the outbox",
            async () => (await forged.SendAsync(HttpMethod.Get, "/api/outbox", cookie, null, HttpStatusCode.OK)).EnumerateArray().ToList(),
            o => o.Any(m => m.GetProperty("to").GetString() == "alerts@example.com") && o.Any(m => m.GetProperty("to").GetString() == "(hidden)" && m.GetProperty("channel").GetString() == "email"));
        links.Add(LinkIn(outbox.Single(m => m.GetProperty("to").GetString() == "alerts@example.com"), "/dialogs/"));
        links.Add(LinkIn(outbox.Single(m => m.GetProperty("to").GetString() == "(hidden)" && m.GetProperty("channel").GetString() == "email"), "/reply#"));
        return links;
    }

    private static string LinkIn(JsonElement message, string marker)
    {
        var text = message.GetProperty("text").GetString()!;
        var at = text.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at > 0, $"no {marker} link in: {text}");
        var start = text.LastIndexOfAny([' ', '\n', '('], at) + 1;
        return text[start..].Split([' ', '\n', ')'])[0];
    }

    /// <summary>Sends every request with a forged Host header, carrying the session cookie by hand (it is Secure, and this may be plain http).</summary>
    private sealed class ForgedHostClient(HttpClient http)
    {
        public async Task<(JsonElement Me, string Cookie)> SignUpAsync()
        {
            using var request = Request(HttpMethod.Post, "/api/accounts", null, new { businessName = "B", timeZone = "UTC", adminName = "Anna Admin", email = NewEmail(), password = Password });
            using var response = await http.SendAsync(request);
            var me = await ApiSession.ReadAsync(response, HttpStatusCode.Created);
            var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(OperatorSessions.CookieName + "=", StringComparison.Ordinal)).Split(';')[0];
            return (me, cookie);
        }

        public async Task<JsonElement> SendAsync(HttpMethod method, string path, string? cookie, object? body, HttpStatusCode expected)
        {
            using var request = Request(method, path, cookie, body);
            using var response = await http.SendAsync(request);
            return await ApiSession.ReadAsync(response, expected);
        }

        private static HttpRequestMessage Request(HttpMethod method, string path, string? cookie, object? body)
        {
            var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            request.Headers.Host = ForgedHost;
            request.Headers.Add(CsrfProtection.HeaderName, "dashboard");
            request.Headers.Add("X-Forwarded-For", $"203.0.113.{Random.Shared.Next(1, 255)}");
            if (cookie is not null)
            {
                request.Headers.Add("Cookie", cookie);
            }
            return request;
        }
    }
}
