using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Parley.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Parley.Tests.Browser;

/// <summary>
/// The public booking page, the booker's own link and the embed script in Chromium against the real booking API: a
/// booker in another zone and language books, moves and cancels; a website embeds the page and hears of the booking.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class BookingPageTests(BrowserFixture fixture)
{
    private static string NewHandle(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    /// <summary>A business whose operator is bookable around the clock, with a consent text, one question and the embedding website.</summary>
    private static async Task<string> PublishAsync(IPage admin, string? embedOrigin = null)
    {
        await BrowserFixture.SignUpAsync(admin, business: "Kanzlei Licht", adminName: "Anna Berger");
        await DashboardApi.SendAsync(admin, "PATCH", "/api/account", new { bookingConsentText = "I agree that Kanzlei Licht stores my details.", embedOrigins = embedOrigin is null ? Array.Empty<string>() : [embedOrigin] });
        await DashboardApi.PostAsync(admin, "/api/custom-fields", new { key = "topic", label = "Topic", type = "choice", choices = new[] { "Pension", "Tax" }, required = true, askWhenBooking = true });
        var operatorId = (await DashboardApi.GetAsync(admin, "/api/me")).GetProperty("operator").GetProperty("id").GetString()!;
        var handle = NewHandle("book");
        var allDay = new[] { new { start = "00:00", end = "23:30" } };
        await DashboardApi.SendAsync(admin, "PUT", $"/api/operators/{operatorId}/availability", new
        {
            enabled = true, handle, lengths = new[] { 30, 60 }, increment = 30, minimumNotice = 60, daysAhead = 30, timeZone = "UTC",
            weekly = new[] { "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday" }.ToDictionary(d => d, _ => allDay),
        });
        return handle;
    }

    [Fact]
    public async Task A_booker_in_another_zone_books_in_german_then_moves_and_cancels_through_their_link()
    {
        await using var adminContext = await fixture.NewContextAsync();
        var admin = await adminContext.NewPageAsync();
        var handle = await PublishAsync(admin);

        await using var bookerContext = await fixture.NewContextAsync(locale: "de-DE", configure: o =>
        {
            o.TimezoneId = "America/New_York";
            o.ViewportSize = new ViewportSize { Width = 360, Height = 740 };
        });
        var page = await bookerContext.NewPageAsync();
        await page.GotoAsync("/book/no-such-page-here");
        await Expect(page.Locator("#book-not-found")).ToContainTextAsync("Diese Buchungsseite gibt es nicht");

        await page.GotoAsync($"/book/{handle}");
        await Expect(page.Locator("#book-operator")).ToContainTextAsync("Anna Berger");
        await Expect(page.Locator("#book-business")).ToHaveTextAsync("Kanzlei Licht");
        await Expect(page.Locator("#book-zone")).ToHaveValueAsync("America/New_York");
        await page.Locator("#book-length-60").ClickAsync();
        await Expect(page.Locator("#book-length-60")).ToHaveAttributeAsync("aria-pressed", "true");
        await page.Locator("#book-days button.free").First.ClickAsync();
        await page.Locator("#book-times button.time").First.ClickAsync();
        await Expect(page.Locator("#book-form-title")).ToBeFocusedAsync();
        await Expect(page.Locator("#book-language")).ToHaveValueAsync("de");

        // Nothing filled in: the page says what is missing, next to each field.
        await page.Locator("#book-submit").ClickAsync();
        await Expect(page.Locator("#book-name-error")).ToBeVisibleAsync();
        await Expect(page.Locator("#book-email-error")).ToContainTextAsync("E-Mail-Adresse oder eine Handynummer");
        await Expect(page.Locator("#book-consent-error")).ToBeVisibleAsync();
        await Expect(page.Locator("#book-q-topic-error")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "booking-form-360");

        await page.Locator("#book-name").FillAsync("Zoë Booker");
        // An address of its own: the abuse guard counts messages per destination across the whole (shared) storage.
        var email = $"zoe.{Guid.NewGuid():N}@example.com";
        await page.Locator("#book-email").FillAsync(email);
        await page.Locator("#book-q-topic").SelectOptionAsync("Tax");
        await page.Locator("#book-note").FillAsync("Bitte mit Unterlagen.");
        await page.Locator("#book-consent").CheckAsync();
        await page.Locator("#book-submit").ClickAsync();
        await Expect(page.Locator("#book-done")).ToBeVisibleAsync();
        await Expect(page.Locator("#book-done-title")).ToHaveTextAsync("Ihr Termin ist gebucht");
        await Expect(page.Locator("#book-done-when")).ToContainTextAsync("America/New York");
        await Expect(page.Locator("#book-done-calendar")).ToHaveAttributeAsync("href", new Regex("calendar\\.ics$"));
        var manage = await page.Locator("#book-done-manage").GetAttributeAsync("href");
        Assert.Matches("/booking#.+", manage!);
        await BrowserFixture.ScreenshotAsync(page, "booking-done-360");

        // The operator's side: a case from the booking page, the booker's details in its conversation, the invitation sent.
        var caseId = (await DashboardApi.GetAsync(admin, "/api/cases")).GetProperty("items")[0].GetProperty("id").GetString()!;
        var bookedCase = await DashboardApi.GetAsync(admin, $"/api/cases/{caseId}");
        Assert.Equal(("bookingPage", "Zoë Booker", "de"), (bookedCase.GetProperty("origin").GetString(), bookedCase.GetProperty("name").GetString(), bookedCase.GetProperty("language").GetString()));
        var chat = (await DashboardApi.GetAsync(admin, $"/api/cases/{caseId}/conversation"))[0].GetProperty("text").GetString()!;
        Assert.Contains(email, chat);
        Assert.Contains("Bitte mit Unterlagen.", chat);
        await admin.GotoAsync($"/cases/{caseId}");
        await Expect(admin.GetByText("Bitte mit Unterlagen.", new() { Exact = false }).First).ToBeVisibleAsync();
        await Poll.UntilAsync("the invitation is in the outbox", async () =>
            (await DashboardApi.GetAsync(admin, "/api/outbox")).EnumerateArray().Any(m => m.GetProperty("to").GetString() == email && m.GetProperty("text").GetString()!.Contains("/booking#")));

        // The booker's own link: move to the last free time of the last day shown, then cancel.
        await page.GotoAsync(manage!);
        await Expect(page.Locator("#manage-state")).ToHaveAttributeAsync("data-status", "scheduled");
        await Expect(page.Locator("#manage-with")).ToContainTextAsync("Anna Berger");
        await page.Locator("#manage-reschedule").ClickAsync();
        await page.Locator("#manage-days button.free").Last.ClickAsync();
        await page.Locator("#manage-times button.time").Last.ClickAsync();
        await page.Locator("#manage-reschedule-reason").FillAsync("Zug verspätet");
        await page.Locator("#manage-reschedule-submit").ClickAsync();
        await Expect(page.Locator("#manage-status")).ToContainTextAsync("verschoben");
        await Expect(page.Locator("#manage-moved")).ToBeVisibleAsync();
        await page.Locator("#manage-cancel").ClickAsync();
        await page.Locator("#manage-cancel-reason").FillAsync("Krank");
        await page.Locator("#manage-cancel-confirm").ClickAsync();
        await Expect(page.Locator("#manage-state")).ToHaveAttributeAsync("data-status", "cancelled");
        await Expect(page.Locator("#manage-cancelled-by")).ToHaveTextAsync("Sie haben diesen Termin abgesagt.");
        await Expect(page.Locator("#manage-reason")).ToContainTextAsync("Krank");
        await Expect(page.Locator("#manage-book-again")).ToHaveAttributeAsync("href", $"/book/{handle}");
        await Expect(page.Locator("#manage-reschedule")).ToHaveCountAsync(0);
        await BrowserFixture.ScreenshotAsync(page, "booking-manage-cancelled-360");

        await page.GotoAsync("/booking#not-a-token");
        await Expect(page.Locator("#manage-invalid")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_website_embeds_the_page_inline_and_as_a_popup_and_hears_of_the_booking()
    {
        // The website: a second origin on this machine (a page the browser sees as public may not load from loopback).
        using var site = new WebsiteStub();
        var website = site.Origin;
        await using var adminContext = await fixture.NewContextAsync();
        var admin = await adminContext.NewPageAsync();
        var handle = await PublishAsync(admin, website);

        await using var context = await fixture.NewContextAsync(configure: o => o.TimezoneId = "Europe/Berlin");
        var html = $$"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body>
            <h1>Our shop</h1>
            <button id="popup" data-parley-booking="{{handle}}" data-mode="popup" data-email="host@example.com">Book</button>
            <div id="inline" data-parley-booking="{{handle}}" data-mode="inline" data-name="Zoë Host" data-metadata='{"crmId":"42"}'></div>
            <div id="floating" data-parley-booking="{{handle}}" data-mode="floating" data-label="Book a meeting"></div>
            <script src="{{fixture.BaseUrl}}/book-embed.js"></script>
            <script src="/listen.js"></script>
            </body></html>
            """;
        site.Html = html;
        site.Script = "window.__booked = []; document.getElementById('inline').addEventListener('parley:booked', e => window.__booked.push(['element', e.detail])); window.addEventListener('parley:booked', e => window.__booked.push(['window', e.detail]));";
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{website}/shop");

        // Popup: opens over the page, Escape closes it, focus goes back to the trigger.
        await page.Locator("#popup").ClickAsync();
        var popup = page.FrameLocator("[data-parley-booking-frame=popup]");
        await Expect(popup.Locator("#book-operator")).ToContainTextAsync("Anna Berger");
        await Expect(page.Locator("[data-parley-booking-close]")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator("[data-parley-booking-overlay]")).ToHaveCountAsync(0);
        await Expect(page.Locator("#popup")).ToBeFocusedAsync();
        await Expect(page.Locator("[data-parley-booking-floating]")).ToHaveTextAsync("Book a meeting");

        // Inline: the frame grows to its content; the prefilled name is there; the booking is announced to the website.
        var inline = page.FrameLocator("#inline iframe");
        await Expect(inline.Locator("#book-operator")).ToContainTextAsync("Anna Berger");
        await page.WaitForFunctionAsync("() => document.querySelector('#inline iframe').style.height !== '640px'");
        await inline.Locator("#book-days button.free").First.ClickAsync();
        await inline.Locator("#book-times button.time").First.ClickAsync();
        await Expect(inline.Locator("#book-name")).ToHaveValueAsync("Zoë Host");
        await inline.Locator("#book-email").FillAsync($"zoe.{Guid.NewGuid():N}@example.com");
        await inline.Locator("#book-q-topic").SelectOptionAsync("Pension");
        await inline.Locator("#book-consent").CheckAsync();
        await inline.Locator("#book-submit").ClickAsync();
        await Expect(inline.Locator("#book-done")).ToBeVisibleAsync();
        await page.WaitForFunctionAsync("() => window.__booked.length === 2");
        var booked = await page.EvaluateAsync<string[]>("() => window.__booked.map(([where, b]) => where + ' ' + b.id + ' ' + b.start + ' ' + b.end)");
        Assert.Equal(["element", "window"], booked.Select(b => b.Split(' ')[0]));
        Assert.All(booked, b => Assert.Equal(4, b.Split(' ').Count(p => p.Length > 0)));
        await BrowserFixture.ScreenshotAsync(page, "booking-embed-inline");

        // The booking the website heard of is the appointment; the website's prefill and metadata reached the case.
        var id = booked[0].Split(' ')[1];
        var appointment = await DashboardApi.GetAsync(admin, $"/api/appointments/{id}");
        Assert.Equal(DateTimeOffset.Parse(booked[0].Split(' ')[2], CultureInfo.InvariantCulture), appointment.GetProperty("start").GetDateTimeOffset());
        var bookedCase = await DashboardApi.GetAsync(admin, $"/api/cases/{appointment.GetProperty("caseId").GetString()}");
        Assert.Equal("Zoë Host", bookedCase.GetProperty("name").GetString());
        Assert.Equal("42", bookedCase.GetProperty("metadata").GetProperty("crmId").GetString());
        Assert.Equal("Pension", bookedCase.GetProperty("customFields").GetProperty("topic").GetString());

        // The popup books too, in English, with the e-mail the website prefilled; the website hears of it on window.
        await page.Locator("#popup").ClickAsync();
        await Expect(popup.Locator("#book-operator")).ToContainTextAsync("Anna Berger");
        await popup.Locator("#book-days button.free").Last.ClickAsync();
        await popup.Locator("#book-times button.time").Last.ClickAsync();
        await Expect(popup.Locator("#book-email")).ToHaveValueAsync("host@example.com");
        await popup.Locator("#book-name").FillAsync("Paula Popup");
        await popup.Locator("#book-q-topic").SelectOptionAsync("Tax");
        await popup.Locator("#book-consent").CheckAsync();
        await popup.Locator("#book-submit").ClickAsync();
        await Expect(popup.Locator("#book-done-title")).ToHaveTextAsync("You are booked");
        await page.WaitForFunctionAsync("() => window.__booked.length === 3");
        var cases = (await DashboardApi.GetAsync(admin, "/api/cases")).GetProperty("items").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Contains("Paula Popup", cases);
    }

    /// <summary>A host website on its own loopback port: the page with the embed, and its script listening for bookings.</summary>
    private sealed class WebsiteStub : IDisposable
    {
        private readonly HttpListener _listener = new();

        public WebsiteStub()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Origin = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add(Origin + "/");
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        public string Origin { get; }
        public string Html { get; set; } = "";
        public string Script { get; set; } = "";

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                var script = context.Request.Url!.AbsolutePath == "/listen.js";
                var body = Encoding.UTF8.GetBytes(script ? Script : Html);
                context.Response.ContentType = script ? "text/javascript; charset=utf-8" : "text/html; charset=utf-8";
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        }

        public void Dispose() => _listener.Close();
    }
}
