using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;
using Parley.Tests.Infrastructure;
using StandardWebhooks;
using static Microsoft.Playwright.Assertions;

namespace Parley.Tests.Browser;

/// <summary>
/// Settings › Integrations (issue 17) in Chromium against an app of its own: the durable engine delivers for real, to a
/// local receiver (loopback allowed, a short retry schedule). The signing secret is read from the page, shown once, and
/// checked with the reference Standard Webhooks verifier; the delivery log updates by itself after a test event.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class IntegrationsSettingsTests(BrowserFixture fixture) : IAsyncLifetime
{
    private const string Script = "<img src=x onerror=window.__xss=1>";
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(30);

    private ParleyApp _app = null!;
    private FakeHttpServer _receiver = null!;

    public async Task InitializeAsync()
    {
        // Answers 200 "ok"; under /html it answers with markup, which the log must show as text.
        _receiver = await FakeHttpServer.StartAsync((context, request) =>
            context.Response.WriteAsync(request.PathAndQuery.StartsWith("/html", StringComparison.Ordinal) ? "<img src=x onerror=window.__xss=2>" : "ok"));
        _app = await ParleyApp.StartOnKestrelAsync(new()
        {
            ["Durable:Enabled"] = "true",
            ["Webhooks:AllowLoopback"] = "true",
            ["Webhooks:RetrySchedule"] = "00:00:00,00:00:00.500,00:00:01",
            ["RateLimits:SignUp:Limit"] = "1000",
        });
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    /// <summary>A fresh browser profile on this class's app (the shared fixture's browser, not its app).</summary>
    private async Task<IBrowserContext> NewContextAsync(int width = 1280)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = _app.BaseUrl!.ToString().TrimEnd('/'),
            Locale = "en-US",
            ViewportSize = new ViewportSize { Width = width, Height = 860 },
        });
        context.SetDefaultTimeout(15_000);
        return context;
    }

    private static async Task<IPage> AdministratorPageAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        await BrowserFixture.SignUpAsync(page);
        return page;
    }

    private static async Task OpenIntegrationsAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Settings" }).GetByRole(AriaRole.Link, new() { Name = "Integrations" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/settings/integrations$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Endpoints and hooks" })).ToBeVisibleAsync();
    }

    private static ILocator AddForm(IPage page) =>
        page.Locator("form").Filter(new() { Has = page.GetByRole(AriaRole.Button, new() { Name = "Add endpoint" }) });

    private static ILocator Row(IPage page, string url) => page.Locator("tr[data-endpoint]").Filter(new() { HasText = url });

    private static ILocator Delivery(IPage page, string messageId) => page.Locator($"[data-log] li[data-message-id='{messageId}']");

    private RecordedRequest[] Received(string path) => [.. _receiver.Requests.Where(r => r.PathAndQuery == path)];

    private static void Verify(string secret, RecordedRequest request) =>
        new StandardWebhook(secret).Verify(request.Body, new HeaderDictionary(request.Headers.ToDictionary(h => h.Key, h => new Microsoft.Extensions.Primitives.StringValues(h.Value))));

    [Fact]
    public async Task An_administrator_adds_an_endpoint_sees_its_secret_once_and_watches_a_signed_test_event_arrive_in_the_log()
    {
        await using var context = await NewContextAsync();
        var page = await AdministratorPageAsync(context);
        await OpenIntegrationsAsync(page);
        await Expect(page.GetByText("No webhook endpoints yet.")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "API reference" })).ToHaveAttributeAsync("href", "/api/reference");

        // Nothing chosen: said at the group; an address into the cloud's metadata service: the server's answer at the URL field.
        var add = AddForm(page);
        var url = add.GetByLabel("URL", new() { Exact = true });
        await url.FillAsync("https://169.254.169.254/latest/meta-data/");
        await add.GetByRole(AriaRole.Button, new() { Name = "Add endpoint" }).ClickAsync();
        await Expect(add.Locator("[data-error-for=eventTypes]")).ToHaveTextAsync("Choose at least one event type.");
        await add.GetByLabel("case.created", new() { Exact = true }).CheckAsync();
        await add.GetByRole(AriaRole.Button, new() { Name = "Add endpoint" }).ClickAsync();
        await Expect(url).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(add.Locator($"#{await url.GetAttributeAsync("id")}-error")) // the error the URL input is described by
            .ToHaveTextAsync("This address points into a private or reserved network; use a public address.");
        await Expect(url).ToBeFocusedAsync();

        var hookUrl = new Uri(_receiver.BaseAddress, "hook").ToString();
        await url.FillAsync(hookUrl);
        await add.GetByLabel("Description").FillAsync("CRM");
        await add.GetByRole(AriaRole.Button, new() { Name = "Add endpoint" }).ClickAsync();
        var shown = page.Locator(".webhook-secret code");
        await Expect(shown).ToHaveTextAsync(new Regex("^whsec_[A-Za-z0-9+/=]{32,}$"));
        await Expect(page.Locator(".webhook-secret")).ToContainTextAsync("shown only this once");
        var secret = await shown.TextContentAsync() ?? "";
        await Expect(Row(page, hookUrl)).ToContainTextAsync("case.created");
        await Expect(Row(page, hookUrl)).ToContainTextAsync("Enabled");
        await Expect(url).ToHaveValueAsync(""); // the form is ready for the next one

        // Shown once: after a reload the endpoint is listed, its secret is nowhere in the page.
        await page.ReloadAsync();
        await Expect(Row(page, hookUrl)).ToContainTextAsync("CRM");
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("whsec_", await page.EvaluateAsync<string>("document.body.innerText"), StringComparison.Ordinal);

        // A test event: the receiver gets it signed with that secret, the log shows it delivered without a reload.
        await Row(page, hookUrl).GetByRole(AriaRole.Button, new() { Name = "Send test event" }).ClickAsync();
        await Expect(page.Locator(".webhook-status")).ToContainTextAsync("A test event is on its way");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Deliveries to {hookUrl}" })).ToBeVisibleAsync();
        var test = await Poll.ForAsync("the receiver gets the test event", () => Task.FromResult(Received("/hook")), r => r.Length > 0, DeliveryTimeout);
        Verify(secret, test[0]);
        Assert.Equal("webhook.test", JsonDocument.Parse(test[0].Body).RootElement.GetProperty("type").GetString());
        var testDelivery = Delivery(page, test[0].Headers["webhook-id"]);
        await Expect(testDelivery).ToHaveAttributeAsync("data-state", "delivered", new() { Timeout = (float)DeliveryTimeout.TotalMilliseconds });
        await Expect(testDelivery).ToContainTextAsync("webhook.test");
        await Expect(testDelivery).ToContainTextAsync("Delivered");
        await Expect(testDelivery.Locator("table.attempts tbody tr")).ToHaveCountAsync(1);
        await Expect(testDelivery.Locator("td.result")).ToHaveTextAsync("HTTP 200");
        await Expect(testDelivery.Locator("pre.response")).ToHaveTextAsync("ok");
        await BrowserFixture.ScreenshotAsync(page, "integrations-log");

        // A case created elsewhere (the page's own session) shows after Refresh once the server has its delivery.
        await DashboardApi.PostAsync(page, "/api/cases", new { name = "Jana Novak" });
        var endpointId = await Row(page, hookUrl).GetAttributeAsync("data-endpoint");
        var log = await Poll.ForAsync("the case.created delivery is in the log", () => DashboardApi.GetAsync(page, $"/api/webhooks/endpoints/{endpointId}/deliveries"),
            l => l.GetProperty("items").EnumerateArray().Any(i => i.GetProperty("eventType").GetString() == "case.created"), DeliveryTimeout);
        var created = log.GetProperty("items").EnumerateArray().First(i => i.GetProperty("eventType").GetString() == "case.created").GetProperty("messageId").GetString()!;
        await page.GetByRole(AriaRole.Button, new() { Name = "Refresh" }).ClickAsync();
        await Expect(Delivery(page, created)).ToContainTextAsync("case.created");
        await Expect(Delivery(page, created)).ToHaveAttributeAsync("data-state", "delivered", new() { Timeout = (float)DeliveryTimeout.TotalMilliseconds });
        await Expect(page.Locator("[data-log] li.delivery").First).ToHaveAttributeAsync("data-message-id", created); // newest first
        var all = await Poll.ForAsync("the receiver gets the case", () => Task.FromResult(Received("/hook")), r => r.Any(x => x.Headers["webhook-id"] == created), DeliveryTimeout);
        Verify(secret, all.First(r => r.Headers["webhook-id"] == created));

        // Resend: the same webhook-id again, its second attempt shows in the log by itself.
        await testDelivery.GetByRole(AriaRole.Button, new() { Name = "Resend" }).ClickAsync();
        await Expect(testDelivery.Locator("table.attempts tbody tr")).ToHaveCountAsync(2, new() { Timeout = (float)DeliveryTimeout.TotalMilliseconds });
        Assert.Equal(2, Received("/hook").Count(r => r.Headers["webhook-id"] == test[0].Headers["webhook-id"]));

        // Recover: a time in the future is refused at its field; the default (a day ago) is accepted.
        var recover = page.Locator("[data-log] form");
        var since = recover.GetByLabel("Since");
        var sinceDefault = await since.InputValueAsync();
        await since.FillAsync(DateTime.Now.AddDays(2).ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture));
        await recover.GetByRole(AriaRole.Button, new() { Name = "Recover" }).ClickAsync();
        await Expect(recover.Locator($"#{await since.GetAttributeAsync("id")}-error")).ToHaveTextAsync("Choose a time within the last 30 days.");
        await since.FillAsync(sinceDefault);
        await recover.GetByRole(AriaRole.Button, new() { Name = "Recover" }).ClickAsync();
        await Expect(recover.GetByRole(AriaRole.Alert)).ToContainTextAsync("are sent again");
    }

    [Fact]
    public async Task Rotating_shows_the_new_secret_once_and_until_when_the_old_one_signs_and_a_disabled_endpoint_can_be_enabled_and_deleted()
    {
        await using var context = await NewContextAsync(width: 360);
        var page = await AdministratorPageAsync(context);
        var hookUrl = new Uri(_receiver.BaseAddress, "rotate").ToString();
        var first = (await DashboardApi.PostAsync(page, "/api/webhooks/endpoints", new { url = hookUrl, eventTypes = new[] { "case.completed" } }))
            .GetProperty("secret").GetString()!;
        await page.GotoAsync("/settings/integrations");
        var row = Row(page, hookUrl);
        await Expect(row).ToContainTextAsync("case.completed");

        await row.GetByRole(AriaRole.Button, new() { Name = "Rotate secret" }).ClickAsync();
        var confirm = page.GetByRole(AriaRole.Alertdialog);
        await Expect(confirm).ToContainTextAsync("keeps signing deliveries for 24 hours");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Rotate secret" }).ClickAsync();
        var shown = page.Locator(".webhook-secret code");
        await Expect(shown).ToHaveTextAsync(new Regex("^whsec_"));
        var second = await shown.TextContentAsync() ?? "";
        Assert.NotEqual(first, second);
        await Expect(page.Locator(".webhook-secret")).ToContainTextAsync("The previous secret also signs until");
        await Expect(row).ToContainTextAsync("The previous secret also signs until");
        await BrowserFixture.ScreenshotAsync(page, "integrations-360");
        Assert.True(await page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 360, "the page fits a 360 px phone: " + await page.EvaluateAsync<string>(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 361).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ')"));

        // During the rotation a test event verifies with either secret.
        await row.GetByRole(AriaRole.Button, new() { Name = "Send test event" }).ClickAsync();
        var test = (await Poll.ForAsync("the receiver gets the test event", () => Task.FromResult(Received("/rotate")), r => r.Length > 0, DeliveryTimeout))[0];
        // The reference verifier 1.1.2 checks only the first of several signatures (WebhookSignatureTests), so the new one is put first.
        var signatures = test.Headers["webhook-signature"].Split(' ');
        Assert.Equal(2, signatures.Length);
        Verify(first, test);
        Verify(second, test with { Headers = new Dictionary<string, string>(test.Headers) { ["webhook-signature"] = signatures[1] } });

        await row.GetByRole(AriaRole.Button, new() { Name = "Disable" }).ClickAsync();
        await Expect(row).ToContainTextAsync("Disabled");
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = "Enable" })).ToBeFocusedAsync(); // the row is drawn anew, the keyboard stays
        await row.GetByRole(AriaRole.Button, new() { Name = "Send test event" }).ClickAsync();
        await Expect(page.Locator(".webhook-status")).ToHaveTextAsync("Enable the endpoint to send it a test event.");
        await row.GetByRole(AriaRole.Button, new() { Name = "Enable" }).ClickAsync();
        await Expect(row).ToContainTextAsync("Enabled");

        await row.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await page.GetByRole(AriaRole.Alertdialog).GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(row).ToHaveCountAsync(0);
        await Expect(page.Locator("[data-log]")).ToBeHiddenAsync();
        await Expect(page.GetByText("No webhook endpoints yet.")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_description_and_a_receivers_answer_with_markup_show_as_text_and_run_no_script()
    {
        await using var context = await NewContextAsync();
        var page = await AdministratorPageAsync(context);
        var hookUrl = new Uri(_receiver.BaseAddress, "html").ToString();
        await DashboardApi.PostAsync(page, "/api/webhooks/endpoints", new { url = hookUrl, description = Script, eventTypes = new[] { "case.created" } });
        await page.GotoAsync("/settings/integrations");
        var row = Row(page, hookUrl);
        await Expect(row).ToContainTextAsync(Script);

        await row.GetByRole(AriaRole.Button, new() { Name = "Send test event" }).ClickAsync();
        var delivery = page.Locator("[data-log] li.delivery").First;
        await Expect(delivery).ToHaveAttributeAsync("data-state", "delivered", new() { Timeout = (float)DeliveryTimeout.TotalMilliseconds });
        await Expect(delivery.Locator("pre.response")).ToHaveTextAsync("<img src=x onerror=window.__xss=2>");
        Assert.Equal(0, await page.Locator("main img").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("window.__xss === undefined"), "no script from the server's data ran");
    }
}
