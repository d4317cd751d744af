using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Parley.Tests.Browser;

/// <summary>
/// Settings › Booking page (docs/booking.md): working hours, date overrides, lengths and the address of an operator's
/// booking page; its link and embed snippets on the profile; the account's consent text and embedding websites; custom
/// fields asked when booking; the bookings badge; bookers' changes in an appointment's history.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class BookingSettingsPageTests(BrowserFixture fixture)
{
    private static string NewHandle(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    private static string Day(int daysFromNow) => DateTime.UtcNow.AddDays(daysFromNow).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static async Task<string> OperatorIdAsync(IPage page) =>
        (await DashboardApi.GetAsync(page, "/api/me")).GetProperty("operator").GetProperty("id").GetString()!;

    private static IEnumerable<string> Intervals(JsonElement list) =>
        list.EnumerateArray().Select(i => $"{i.GetProperty("start").GetString()}-{i.GetProperty("end").GetString()}");

    [Fact]
    public async Task An_operator_sets_hours_a_day_off_and_lengths_and_publishes_under_a_handle_and_the_api_shows_exactly_that()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserFixture.SignUpAsync(page);
        var id = await OperatorIdAsync(page);
        var handle = NewHandle("anna");
        var dayOff = Day(40);

        await page.GetByRole(AriaRole.Link, new() { Name = "Booking page" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/settings/booking$"));
        await Expect(page.GetByLabel("Publish my booking page")).Not.ToBeCheckedAsync();

        // Monday: the default 09:00–17:00 becomes 09:00–12:00 and 13:00–17:00.
        var monday = page.Locator("fieldset[data-day='monday']");
        await Expect(monday.Locator("input[type=time]")).ToHaveCountAsync(2);
        await page.GetByLabel("Monday: end of interval 1").FillAsync("12:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add hours on Monday" }).ClickAsync();
        await Expect(page.GetByLabel("Monday: start of interval 2")).ToBeFocusedAsync();
        await page.GetByLabel("Monday: start of interval 2").FillAsync("13:00");
        await page.GetByLabel("Monday: end of interval 2").FillAsync("17:00");
        // Saturday stays unavailable; Friday's hours are removed.
        await Expect(page.Locator("fieldset[data-day='saturday']")).ToContainTextAsync("Unavailable");
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove interval 1 on Friday" }).ClickAsync();
        await Expect(page.Locator("fieldset[data-day='friday']")).ToContainTextAsync("Unavailable");

        await page.GetByRole(AriaRole.Button, new() { Name = "Add a date" }).ClickAsync();
        var date = page.Locator(".override").GetByLabel("Date", new() { Exact = true });
        await Expect(date).ToBeFocusedAsync();
        await date.FillAsync(dayOff);
        await Expect(page.Locator(".override").GetByLabel("On this date")).ToHaveValueAsync("off");

        await page.GetByLabel("15 min", new() { Exact = true }).CheckAsync();
        await Expect(page.GetByLabel("30 min", new() { Exact = true })).ToBeCheckedAsync();

        var address = page.GetByLabel("Address", new() { Exact = true });
        await address.FillAsync(handle);
        await Expect(page.Locator(".booking-url")).ToHaveTextAsync($"Your page: {fixture.BaseUrl}/book/{handle}");
        await page.GetByLabel("Publish my booking page").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByText("Saved. Your booking page is published.")).ToBeVisibleAsync();
        await Expect(page.Locator(".booking-link a")).ToHaveTextAsync($"{fixture.BaseUrl}/book/{handle}");
        await Expect(page.Locator(".booking-link").GetByRole(AriaRole.Button, new() { Name = "Copy link: Booking page" })).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "booking-settings-en");

        var saved = await DashboardApi.GetAsync(page, $"/api/operators/{id}/availability");
        Assert.True(saved.GetProperty("enabled").GetBoolean());
        Assert.Equal(handle, saved.GetProperty("handle").GetString());
        Assert.Equal("Europe/Berlin", saved.GetProperty("timeZone").GetString());
        var weekly = saved.GetProperty("weekly");
        Assert.Equal(["09:00-12:00", "13:00-17:00"], Intervals(weekly.GetProperty("monday")));
        Assert.Equal(["09:00-17:00"], Intervals(weekly.GetProperty("tuesday")));
        Assert.Empty(Intervals(weekly.GetProperty("friday")));
        Assert.Empty(Intervals(weekly.GetProperty("saturday")));
        var overrides = saved.GetProperty("overrides");
        Assert.Equal(1, overrides.GetArrayLength());
        Assert.Equal(dayOff, overrides[0].GetProperty("date").GetString());
        Assert.Empty(Intervals(overrides[0].GetProperty("intervals")));
        Assert.Equal([15, 30], saved.GetProperty("lengths").EnumerateArray().Select(l => l.GetInt32()));
        Assert.Equal(JsonValueKind.Null, saved.GetProperty("maxPerDay").ValueKind);
        Assert.EndsWith($"/book/{handle}", saved.GetProperty("bookingUrl").GetString());

        // What is stored is what the page shows again; a cap per day and notice in hours round-trip too.
        await page.ReloadAsync();
        await Expect(page.GetByLabel("Monday: start of interval 2")).ToHaveValueAsync("13:00");
        await Expect(page.Locator(".override").GetByLabel("Date", new() { Exact = true })).ToHaveValueAsync(dayOff);
        await Expect(page.GetByLabel("Publish my booking page")).ToBeCheckedAsync();
        await page.GetByLabel("Maximum bookings per day").FillAsync("3");
        await page.GetByLabel("Minimum notice", new() { Exact = true }).FillAsync("2");
        await page.GetByLabel("Unit of the minimum notice").SelectOptionAsync("hours");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByText("Saved. Your booking page is published.")).ToBeVisibleAsync();
        saved = await DashboardApi.GetAsync(page, $"/api/operators/{id}/availability");
        Assert.Equal(3, saved.GetProperty("maxPerDay").GetInt32());
        Assert.Equal(120, saved.GetProperty("minimumNotice").GetInt32());

        // Empty means no limit (sent as 0).
        await page.GetByLabel("Maximum bookings per day").FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByText("Saved. Your booking page is published.")).ToBeVisibleAsync();
        Assert.Equal(JsonValueKind.Null, (await DashboardApi.GetAsync(page, $"/api/operators/{id}/availability")).GetProperty("maxPerDay").ValueKind);
    }

    [Theory]
    [InlineData("en")]
    [InlineData("de")]
    public async Task An_invalid_interval_a_missing_date_and_a_taken_handle_show_their_errors_at_their_controls(string language)
    {
        string T(string en, string de) => language == "de" ? de : en;
        var taken = NewHandle("taken");
        await using (var otherContext = await fixture.NewContextAsync())
        {
            var other = await otherContext.NewPageAsync();
            await BrowserFixture.SignUpAsync(other, business: "Other");
            await DashboardApi.SendAsync(other, "PUT", $"/api/operators/{await OperatorIdAsync(other)}/availability", new { enabled = true, handle = taken });
        }

        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserFixture.SignUpAsync(page);
        await page.GetByLabel("Language", new() { Exact = true }).SelectOptionAsync(language);
        await page.GotoAsync("/settings/booking");

        var tuesday = page.Locator("fieldset[data-day='tuesday']");
        var tuesdayEnd = page.GetByLabel(T("Tuesday: end of interval 1", "Dienstag: Ende von Zeitraum 1"));
        await tuesdayEnd.FillAsync("08:00");
        await page.GetByRole(AriaRole.Button, new() { Name = T("Add a date", "Datum hinzufügen") }).ClickAsync();
        await page.GetByLabel(T("Address", "Adresse"), new() { Exact = true }).FillAsync(taken);
        await page.GetByLabel(T("Publish my booking page", "Meine Buchungsseite veröffentlichen")).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = T("Save", "Speichern") }).ClickAsync();

        await Expect(tuesday.Locator(".field-error")).ToHaveTextAsync(T("Each interval must end after it starts.", "Jeder Zeitraum muss nach seinem Beginn enden."));
        await Expect(tuesdayEnd).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("fieldset[data-day='monday']").Locator(".field-error")).ToBeHiddenAsync();
        var overrideDate = page.Locator(".override").GetByLabel(T("Date", "Datum"), new() { Exact = true });
        await Expect(overrideDate).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator(".override .field-error").First).ToBeVisibleAsync();
        await Expect(page.Locator("fieldset[data-day='tuesday'] input[type=time]").First).ToBeFocusedAsync();
        await BrowserFixture.ScreenshotAsync(page, $"booking-settings-errors-{language}");

        // Fixed: now the address is refused (taken by another business), next to the address field.
        await tuesdayEnd.FillAsync("17:00");
        await overrideDate.FillAsync(Day(20));
        await page.GetByRole(AriaRole.Button, new() { Name = T("Save", "Speichern") }).ClickAsync();
        var address = page.GetByLabel(T("Address", "Adresse"), new() { Exact = true });
        var addressField = page.Locator(".field").Filter(new() { Has = address });
        await Expect(addressField.Locator(".field-error")).ToHaveTextAsync(T("This address is taken. Choose another one.", "Diese Adresse ist vergeben. Wählen Sie eine andere."));
        await Expect(address).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(address).ToBeFocusedAsync();
        await Expect(tuesday.Locator(".field-error")).ToBeHiddenAsync();
        await Expect(tuesdayEnd).Not.ToHaveAttributeAsync("aria-invalid", "true");

        var own = NewHandle("own");
        await address.FillAsync(own);
        await page.GetByRole(AriaRole.Button, new() { Name = T("Save", "Speichern") }).ClickAsync();
        await Expect(page.GetByText(T("Saved. Your booking page is published.", "Gespeichert. Ihre Buchungsseite ist veröffentlicht."))).ToBeVisibleAsync();
        await Expect(addressField.Locator(".field-error")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task The_profile_shows_where_to_publish_and_once_published_the_booking_link_and_the_three_embed_snippets()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserFixture.SignUpAsync(page);
        var id = await OperatorIdAsync(page);
        var handle = NewHandle("prof");

        await page.GotoAsync("/settings/profile");
        var card = page.Locator("#booking-page");
        await Expect(card).ToContainTextAsync("Your booking page is not published.");
        await card.GetByRole(AriaRole.Link, new() { Name = "Set up your booking page" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/settings/booking$"));

        await DashboardApi.SendAsync(page, "PUT", $"/api/operators/{id}/availability", new { enabled = true, handle });
        await page.GotoAsync("/settings/profile");
        var url = $"{fixture.BaseUrl}/book/{handle}";
        await Expect(card.Locator("[data-booking-url]")).ToHaveTextAsync(url);
        await Expect(card.GetByRole(AriaRole.Button, new() { Name = "Copy link: Booking link" })).ToHaveAttributeAsync("data-url", url);
        var script = $"<script src=\"{fixture.BaseUrl}/book-embed.js\" async></script>\n";
        await Expect(card.Locator("[data-embed='inline'] code")).ToHaveTextAsync(script + $"<div data-parley-booking=\"{handle}\" data-mode=\"inline\"></div>");
        await Expect(card.Locator("[data-embed='popup'] code")).ToHaveTextAsync(script + $"<button data-parley-booking=\"{handle}\" data-mode=\"popup\">Book</button>");
        await Expect(card.Locator("[data-embed='floating'] code")).ToHaveTextAsync(script + $"<div data-parley-booking=\"{handle}\" data-mode=\"floating\" data-label=\"Book a meeting\"></div>");
        await Expect(card.GetByRole(AriaRole.Button, new() { Name = "Copy the code for the floating button" })).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "booking-profile-en");
    }

    [Fact]
    public async Task The_account_page_saves_the_consent_text_and_the_embedding_websites_and_refuses_other_schemes()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserFixture.SignUpAsync(page);
        var consent = page.GetByLabel("Consent text on booking pages");
        var origins = page.GetByLabel("Websites allowed to embed booking pages");

        await consent.FillAsync("I agree that Kanzlei stores my details to prepare the meeting.");
        await origins.FillAsync("ftp://x");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        var originsField = page.Locator(".field").Filter(new() { Has = origins });
        await Expect(originsField.Locator(".field-error")).ToHaveTextAsync("Enter websites as https://www.example.com (no path).");
        await Expect(origins).ToHaveAttributeAsync("aria-invalid", "true");

        await origins.FillAsync("https://www.example.com\n\n  https://Shop.example.com:8443  \n");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByText("Saved.", new() { Exact = true })).ToBeVisibleAsync();
        var account = await DashboardApi.GetAsync(page, "/api/account");
        Assert.Equal("I agree that Kanzlei stores my details to prepare the meeting.", account.GetProperty("bookingConsentText").GetString());
        Assert.Equal(["https://www.example.com", "https://shop.example.com:8443"], account.GetProperty("embedOrigins").EnumerateArray().Select(o => o.GetString()));

        await page.ReloadAsync();
        await Expect(origins).ToHaveValueAsync("https://www.example.com\nhttps://shop.example.com:8443");
        await consent.FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByText("Saved.", new() { Exact = true })).ToBeVisibleAsync();
        Assert.Equal(JsonValueKind.Null, (await DashboardApi.GetAsync(page, "/api/account")).GetProperty("bookingConsentText").ValueKind);
    }

    [Fact]
    public async Task A_custom_field_asked_when_booking_round_trips_through_create_and_edit()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserFixture.SignUpAsync(page);
        await page.GotoAsync("/settings/custom-fields");
        var add = page.Locator("form").Filter(new() { Has = page.GetByRole(AriaRole.Button, new() { Name = "Add custom field" }) });
        await add.GetByLabel("Label").FillAsync("Company");
        await add.GetByLabel("Ask when booking").CheckAsync();
        await add.GetByRole(AriaRole.Button, new() { Name = "Add custom field" }).ClickAsync();
        var row = page.Locator("tr[data-field='company']");
        await Expect(row.Locator("[data-ask-when-booking]")).ToHaveTextAsync("Asked when booking");
        Assert.True(await AskedAsync(page));

        await row.GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        var edit = page.GetByRole(AriaRole.Dialog);
        await Expect(edit.GetByLabel("Ask when booking")).ToBeCheckedAsync();
        await edit.GetByLabel("Ask when booking").UncheckAsync();
        await edit.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(edit).ToHaveCountAsync(0);
        await Expect(row.Locator("[data-ask-when-booking]")).ToHaveCountAsync(0);
        Assert.False(await AskedAsync(page));

        static async Task<bool> AskedAsync(IPage page) =>
            (await DashboardApi.GetAsync(page, "/api/custom-fields")).EnumerateArray().Single(f => f.GetProperty("key").GetString() == "company").GetProperty("askWhenBooking").GetBoolean();
    }

    /// <summary>
    /// The signed-in operator publishes a page open around the clock, and a booker books its first free time through
    /// the public API (its own client, as a customer's browser would): the appointment's id, its case and the booker's token.
    /// </summary>
    private async Task<(string AppointmentId, string CaseId, string Token, HttpClient Booker)> BookAsync(IPage page, string name)
    {
        var operatorId = await OperatorIdAsync(page);
        var handle = NewHandle("badge");
        var allDay = new[] { new { start = "00:00", end = "23:30" } };
        await DashboardApi.SendAsync(page, "PUT", $"/api/operators/{operatorId}/availability", new
        {
            enabled = true, handle, lengths = new[] { 30 }, increment = 30, minimumNotice = 60, daysAhead = 30, timeZone = "UTC",
            weekly = new[] { "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday" }.ToDictionary(d => d, _ => allDay),
        });
        var booker = new HttpClient { BaseAddress = new Uri(fixture.BaseUrl) };
        booker.DefaultRequestHeaders.Add("X-Forwarded-For", $"203.0.113.{Random.Shared.Next(1, 250)}");
        var slots = JsonDocument.Parse(await booker.GetStringAsync($"/api/book/{handle}/slots?length=30&from={Day(1)}&to={Day(2)}&timeZone=UTC")).RootElement;
        var first = slots.GetProperty("days")[0].GetProperty("slots")[0].GetString();
        using var response = await booker.PostAsync($"/api/book/{handle}", System.Net.Http.Json.JsonContent.Create(new { start = first, length = 30, name, email = "berta@example.com", timeZone = "UTC", language = "en" }));
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        var confirmation = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var id = confirmation.GetProperty("id").GetString()!;
        var url = confirmation.GetProperty("manageUrl").GetString()!;
        var caseId = (await DashboardApi.GetAsync(page, $"/api/appointments/{id}")).GetProperty("caseId").GetString()!;
        return (id, caseId, url[(url.IndexOf('#') + 1)..], booker);
    }

    [Fact]
    public async Task A_booking_shows_on_the_badge_with_a_list_that_links_the_case_and_marks_it_seen()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserFixture.SignUpAsync(page);
        var badge = page.Locator("button.nav-badge");
        await page.GotoAsync("/cases");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Cases" }).First).ToBeVisibleAsync();
        await Expect(badge).ToBeHiddenAsync();

        var (_, caseId, _, booker) = await BookAsync(page, "Berta Booker");
        using var _booker = booker;
        await page.GetByRole(AriaRole.Link, new() { Name = "Calendar" }).ClickAsync();
        await Expect(badge).ToHaveTextAsync("1");
        await Expect(badge).ToHaveAttributeAsync("aria-label", "1 new bookings or changes");

        // Opening the list marks them seen.
        var marked = await page.RunAndWaitForResponseAsync(() => badge.ClickAsync(), "**/api/bookings/seen");
        Assert.Equal(204, marked.Status);
        var list = page.Locator("#bookings-popover");
        await Expect(list.GetByRole(AriaRole.Link, new() { Name = "Berta Booker" })).ToHaveAttributeAsync("href", $"/cases/{caseId}");
        await BrowserFixture.ScreenshotAsync(page, "bookings-badge-en");
        Assert.Equal(0, (await DashboardApi.GetAsync(page, "/api/bookings/unseen")).GetProperty("count").GetInt32());

        await list.GetByRole(AriaRole.Link, new() { Name = "Berta Booker" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/cases/{caseId}$"));
        await Expect(badge).ToBeHiddenAsync();
    }

    [Theory]
    [InlineData("en")]
    [InlineData("de")]
    public async Task A_move_by_the_booker_shows_in_the_appointment_history_as_the_customer_with_the_reason(string language)
    {
        string T(string en, string de) => language == "de" ? de : en;
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserFixture.SignUpAsync(page);
        await page.GetByLabel("Language", new() { Exact = true }).SelectOptionAsync(language);
        var (_, caseId, token, booker) = await BookAsync(page, "Berta Booker");
        using var _booker = booker;

        // The booker moves it through their own link, with a reason.
        var slots = JsonDocument.Parse(await booker.GetStringAsync($"/api/booking/{token}/slots?from={Day(2)}&to={Day(3)}&timeZone=UTC")).RootElement;
        var later = slots.GetProperty("days")[0].GetProperty("slots")[2].GetString();
        using var moved = await booker.PostAsync($"/api/booking/{token}/reschedule", System.Net.Http.Json.JsonContent.Create(new { start = later, reason = "Train delayed" }));
        Assert.Equal(System.Net.HttpStatusCode.OK, moved.StatusCode);

        await page.GotoAsync($"/cases/{caseId}");
        var history = page.Locator("details.history");
        await Expect(history).ToHaveAttributeAsync("open", "");
        var entry = history.Locator("li[data-action='rescheduled'][data-by='booker']");
        await Expect(entry).ToContainTextAsync(T("Moved", "Verschoben"));
        await Expect(entry).ToContainTextAsync(T("the customer (booking link)", "die Kundin / der Kunde (Buchungslink)"));
        await Expect(entry).ToContainTextAsync(T("Reason: Train delayed", "Grund: Train delayed"));
        await Expect(history.Locator("li[data-action='scheduled'][data-by='booker']")).ToBeVisibleAsync();
    }
}
