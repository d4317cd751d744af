using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Parley.Tests.Browser;

/// <summary>
/// The operator flows of seed 000 as the articles describe them, in real Chromium, in English and German: scheduling
/// from the calendar, the 50-character rule, autosave that survives a reload, cancelling with a reason, one time format.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CaseAndCalendarFlowTests(BrowserFixture fixture)
{

    /// <summary>What the tests look for, by UI text key: the catalogue of the language under test decides the words.</summary>
    private static readonly Dictionary<string, string> Keys = new()
    {
        ["case"] = "calendar.case", ["save"] = "appointments.save", ["email"] = "case.email", ["phone"] = "case.phone", ["sms"] = "appointments.sendSms",
        ["choose"] = "calendar.chooseCase", ["create"] = "calendar.createCase", ["resend"] = "appointments.resend", ["resent"] = "appointments.resent",
        ["name"] = "case.name", ["tooLong"] = "case.tooLong", ["notes"] = "case.notes", ["cancel"] = "appointments.cancelConfirm", ["cancelOpen"] = "appointments.cancel",
        ["keep"] = "appointments.cancelKeep", ["reason"] = "appointments.cancelReason", ["cancelled"] = "appointments.cancelled", ["copy"] = "common.copyLink",
        ["copied"] = "common.linkCopied", ["nextWeek"] = "calendar.next",
    };

    [Theory]
    [InlineData("en-US")]
    [InlineData("de-DE")]
    public async Task Enter_in_the_calendar_creates_the_case_with_its_contact_and_operators_and_the_invitation_goes_out(string locale)
    {
        var text = TextsFor(locale);
        await using var context = await fixture.NewContextAsync(locale);
        var page = await context.NewPageAsync();
        var me = await SignUpByApiAsync(page);
        var otto = await AddOperatorAsync(page, "Otto Operator");
        var wednesday = NextWeek(DayOfWeek.Wednesday);

        await page.GotoAsync("/calendar");
        await page.GetByRole(AriaRole.Button, new() { Name = text["nextWeek"] }).ClickAsync();
        await page.Locator($".slot[data-date='{wednesday}'][data-time='09:00']").DblClickAsync();
        var dialog = page.Locator("dialog");
        var search = dialog.GetByLabel(text["case"], new() { Exact = true });

        // Saving without a case complains; choosing one by Enter clears the complaint.
        await dialog.GetByRole(AriaRole.Button, new() { Name = text["save"] }).ClickAsync();
        await Expect(dialog.GetByText(text["choose"])).ToBeVisibleAsync();
        await search.FillAsync("Carla Calendar");
        await search.PressAsync("Enter");
        await Expect(dialog.GetByText(text["create"].Replace("{name}", "Carla Calendar", StringComparison.Ordinal))).ToBeVisibleAsync();
        await Expect(dialog.GetByText(text["choose"])).ToBeHiddenAsync();

        // A new case gets its contact here; the SMS switch follows the mobile number; Otto is added as operator.
        await Expect(dialog.GetByLabel(text["sms"])).ToBeDisabledAsync();
        await dialog.GetByLabel(text["email"]).FillAsync("carla@example.com");
        await dialog.GetByLabel(text["phone"]).FillAsync("+49 170 1234567");
        await Expect(dialog.GetByLabel(text["sms"])).ToBeEnabledAsync();
        await Expect(dialog.GetByLabel(text["sms"])).ToBeCheckedAsync();
        await dialog.GetByLabel("Otto Operator").CheckAsync();
        await BrowserFixture.ScreenshotAsync(page, $"30-calendar-new-case-{locale}");
        await dialog.GetByRole(AriaRole.Button, new() { Name = text["save"] }).ClickAsync();

        var appointment = page.Locator($".day-col[data-date='{wednesday}'] .event");
        await Expect(appointment).ToContainTextAsync("Carla Calendar");
        await Expect(appointment).ToContainTextAsync(locale == "de-DE" ? "09:00–09:30" : "9:00 AM–9:30 AM");
        // A short meeting shows its time first and whole: never the part that is cut off.
        var eventBox = await appointment.BoundingBoxAsync();
        var timeBox = await appointment.Locator(".event-time").BoundingBoxAsync();
        Assert.True(timeBox!.X >= eventBox!.X && timeBox.X + timeBox.Width <= eventBox.X + eventBox.Width && timeBox.Y + timeBox.Height <= eventBox.Y + eventBox.Height + 1,
            $"the time ({timeBox.X},{timeBox.Y} {timeBox.Width}×{timeBox.Height}) is clipped by its event ({eventBox.X},{eventBox.Y} {eventBox.Width}×{eventBox.Height})");
        var cases = await DashboardApi.GetAsync(page, "/api/cases?q=carla");
        var caseId = cases.GetProperty("items")[0].GetProperty("id").GetString()!;
        var created = await DashboardApi.GetAsync(page, $"/api/cases/{caseId}");
        Assert.Equal(("carla@example.com", "+491701234567"), (created.GetProperty("email").GetString(), created.GetProperty("phone").GetString()));
        Assert.Equal(new[] { me, otto }.Order(), created.GetProperty("assignedOperatorIds").EnumerateArray().Select(e => e.GetString()!).Order());

        // The calendar's appointment dialog resends the invitations as the case page does.
        await appointment.ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = text["resend"] }).ClickAsync();
        await Expect(dialog.GetByText(text["resent"])).ToBeVisibleAsync();
    }

    [Fact]
    public async Task An_administrator_sees_everyones_appointments_side_by_side_and_today_has_a_now_line()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var me = await SignUpByApiAsync(page);
        var otto = await AddOperatorAsync(page, "Otto Operator");
        var thursday = NextWeek(DayOfWeek.Thursday);
        await BookAsync(page, "Anna's customer", thursday, "10:00", "11:00", me);
        await BookAsync(page, "Otto's customer", thursday, "10:30", "11:30", otto);
        // The browser's clock says 10:15 in Berlin today (the server keeps its own, real clock).
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var today = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, berlin).Date;
        var quarterPastTen = new DateTimeOffset(today.AddHours(10).AddMinutes(15), berlin.GetUtcOffset(today.AddHours(10)));
        await page.Clock.SetFixedTimeAsync(quarterPastTen.UtcDateTime);

        await page.GotoAsync("/calendar");
        await Expect(page.GetByLabel("Operator")).ToHaveValueAsync(""); // everyone
        var todayColumn = page.Locator($".day-col.today[data-date='{today:yyyy-MM-dd}']");
        await Expect(todayColumn.Locator(".now-line")).ToHaveCountAsync(1);
        // 6:00 is the top; 24 px per half hour: 10:15 is 4 h 15 min down.
        Assert.Equal("204px", await todayColumn.Locator(".now-line").EvaluateAsync<string>("e => e.style.top"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Next week" }).ClickAsync();
        var events = page.Locator($".day-col[data-date='{thursday}'] .event");
        await Expect(events).ToHaveCountAsync(2);
        var boxes = new[] { await events.Nth(0).BoundingBoxAsync(), await events.Nth(1).BoundingBoxAsync() };
        Assert.True(boxes[0]!.X + boxes[0]!.Width <= boxes[1]!.X + 1 || boxes[1]!.X + boxes[1]!.Width <= boxes[0]!.X + 1, "overlapping appointments must sit side by side");
        await Expect(events.Filter(new() { HasText = "Otto's customer" })).ToContainTextAsync("Otto Operator");
        await BrowserFixture.ScreenshotAsync(page, "31-calendar-everyone");

        // One operator's view shows only theirs.
        await page.GetByLabel("Operator").SelectOptionAsync(otto);
        await Expect(events).ToHaveCountAsync(1);
        await Expect(events).ToContainTextAsync("Otto's customer");
        // The first hour's label is inside the visible grid.
        var label = await page.Locator(".time-label").First.BoundingBoxAsync();
        var body = await page.Locator(".week-head").BoundingBoxAsync();
        Assert.True(label!.Y >= body!.Y + body.Height - 1, $"the 6:00 label is cut off ({label.Y} < {body.Y + body.Height})");
    }

    [Theory]
    [InlineData("en-US")]
    [InlineData("de-DE")]
    public async Task The_case_page_shows_the_name_rule_keeps_typing_through_a_reload_and_cancels_with_a_reason(string locale)
    {
        var text = TextsFor(locale);
        await using var context = await fixture.NewContextAsync(locale);
        var page = await context.NewPageAsync();
        var me = await SignUpByApiAsync(page);
        var monday = NextWeek(DayOfWeek.Monday);
        var (caseId, _) = await BookAsync(page, "Bernd Beispiel", monday, "15:00", "16:00", me);
        await page.GotoAsync($"/cases/{caseId}");

        // The 51st character is not swallowed: the rule is shown.
        var name = page.GetByLabel(text["name"], new() { Exact = true });
        await name.FillAsync(new string('x', 50));
        await name.PressSequentiallyAsync("y");
        await Expect(name).ToHaveValueAsync(new string('x', 50) + "y");
        await Expect(page.GetByText(text["tooLong"].Replace("{max}", "50", StringComparison.Ordinal).Replace("{count}", "51", StringComparison.Ordinal))).ToBeVisibleAsync();
        await name.FillAsync("Bernd Beispiel");

        // One time convention per language on the appointment, and the link is a short control.
        var card = page.Locator("article.appointment");
        await Expect(card).ToContainTextAsync(locale == "de-DE" ? "15:00–16:00" : "3:00 PM–4:00 PM");
        var copy = card.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^" + Regex.Escape(text["copy"])) });
        await copy.ClickAsync();
        await Expect(card.GetByText("✓ " + text["copied"])).ToBeVisibleAsync();
        Assert.Contains("/meet#", await copy.GetAttributeAsync("data-url") ?? "");

        // Typing, then reloading at once: nothing is lost, and the server has it.
        await page.GetByLabel(text["notes"]).FillAsync("Rückruf am Montag");
        await page.ReloadAsync();
        await Expect(page.GetByLabel(text["notes"])).ToHaveValueAsync("Rückruf am Montag");
        string? stored = null;
        for (var i = 0; i < 100 && stored != "Rückruf am Montag"; i++)
        {
            stored = (await DashboardApi.GetAsync(page, $"/api/cases/{caseId}")).GetProperty("notes").GetString();
            if (stored != "Rückruf am Montag")
            {
                await page.WaitForTimeoutAsync(100); // the save after the reload is on its way
            }
        }
        Assert.Equal("Rückruf am Montag", stored);

        // The case list stays at the top of its column however long the case is, also scrolled to the end of it.
        await page.Locator("details.schedule").EvaluateAsync("e => e.scrollIntoView()");
        var list = await page.Locator(".case-list-panel").BoundingBoxAsync();
        var detail = await page.Locator(".case-detail").BoundingBoxAsync();
        Assert.True(Math.Abs(list!.Y - detail!.Y) < 2, $"case list at {list.Y}, case at {detail.Y}");
        await BrowserFixture.ScreenshotAsync(page, $"32-case-page-{locale}");

        // Cancelling asks for the reason in a dialog; "keep" keeps the appointment.
        await card.GetByRole(AriaRole.Button, new() { Name = text["cancelOpen"] }).ClickAsync();
        var ask = page.Locator("dialog[data-dialog='cancel-appointment']");
        await Expect(ask).ToBeVisibleAsync();
        await ask.GetByRole(AriaRole.Button, new() { Name = text["keep"] }).ClickAsync();
        await Expect(ask).ToHaveCountAsync(0);
        await Expect(card).Not.ToContainTextAsync(text["cancelled"]);
        await card.GetByRole(AriaRole.Button, new() { Name = text["cancelOpen"] }).ClickAsync();
        await ask.GetByLabel(text["reason"]).FillAsync("Kunde ist krank");
        await BrowserFixture.ScreenshotAsync(page, $"33-cancel-reason-{locale}");
        await ask.GetByRole(AriaRole.Button, new() { Name = text["cancel"] }).ClickAsync();
        await Expect(page.Locator("article.appointment")).ToContainTextAsync(text["cancelled"]);
        var history = (await DashboardApi.GetAsync(page, $"/api/cases/{caseId}/appointments"))[0].GetProperty("history").EnumerateArray().Last();
        Assert.Equal("Kunde ist krank", history.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task The_new_case_dialog_shows_the_custom_fields_and_the_name_rule()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await SignUpByApiAsync(page);
        await DashboardApi.PostAsync(page, "/api/custom-fields", new { key = "contract", label = "Contract number", type = "text", required = true });

        await page.GotoAsync("/cases");
        await page.GetByRole(AriaRole.Button, new() { Name = "+ New case" }).ClickAsync();
        var dialog = page.Locator("dialog");
        await dialog.GetByLabel("Case name").PressSequentiallyAsync(new string('n', 51));
        await Expect(dialog.GetByText("At most 50 characters (51 now).")).ToBeVisibleAsync();
        await dialog.GetByLabel("Case name").FillAsync("Dora Daten");
        await Expect(dialog.GetByLabel("Contract number *")).ToBeVisibleAsync();
        await dialog.GetByLabel("Contract number *").FillAsync("V-2026-17");
        await dialog.GetByLabel("Schedule an appointment now").UncheckAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create case" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/cases/[a-z2-7]+$"));
        var caseId = page.Url.Split('/').Last();
        Assert.Equal("V-2026-17", (await DashboardApi.GetAsync(page, $"/api/cases/{caseId}")).GetProperty("customFields").GetProperty("contract").GetString());
    }

    // ---- helpers ----

    /// <summary>The UI texts of the locale's language (static-web/src/i18n), by this test's short names.</summary>
    private static Dictionary<string, string> TextsFor(string locale)
    {
        var file = Parley.Testing.RepositoryPaths.Combine("static-web", "src", "i18n", locale[..2] + ".json");
        var catalog = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(file))!;
        return Keys.ToDictionary(k => k.Key, k => catalog[k.Value]);
    }

    /// <summary>The YYYY-MM-DD of that weekday next week, in Berlin.</summary>
    private static string NextWeek(DayOfWeek day)
    {
        var today = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).Date;
        var monday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7) + 7);
        return monday.AddDays(((int)day + 6) % 7).ToString("yyyy-MM-dd");
    }

    /// <summary>Signs up through the API inside the browser context (its cookie is the page's); returns the administrator's id.</summary>
    private static async Task<string> SignUpByApiAsync(IPage page)
    {
        await page.GotoAsync("/sign-in");
        var me = await DashboardApi.PostAsync(page, "/api/accounts", new
        {
            businessName = "Kanzlei", timeZone = "Europe/Berlin", adminName = "Anna Admin", email = $"flow.{Guid.NewGuid():N}@example.com", password = Infrastructure.Accounts.Password,
        });
        return me.GetProperty("operator").GetProperty("id").GetString()!;
    }

    private static async Task<string> AddOperatorAsync(IPage page, string name) =>
        (await DashboardApi.PostAsync(page, "/api/operators", new { name, email = $"op.{Guid.NewGuid():N}@example.com", role = "operator" })).GetProperty("operator").GetProperty("id").GetString()!;

    private static async Task<(string CaseId, string AppointmentId)> BookAsync(IPage page, string caseName, string date, string start, string end, string operatorId)
    {
        var created = await DashboardApi.PostAsync(page, "/api/appointments", new
        {
            @case = new { name = caseName, email = "customer@example.com" }, start = $"{date}T{start}", end = $"{date}T{end}", timeZone = "Europe/Berlin", operatorIds = new[] { operatorId },
        });
        return (created.GetProperty("case").GetProperty("id").GetString()!, created.GetProperty("appointment").GetProperty("id").GetString()!);
    }
}
