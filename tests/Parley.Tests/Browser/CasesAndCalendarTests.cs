using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Parley.Tests.Browser;

/// <summary>The operator's daily work in real Chromium: cases with autosave, the new-case dialog, the calendar.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CasesAndCalendarTests(BrowserFixture fixture)
{

    [Fact]
    public async Task A_case_created_with_the_dialog_gets_its_appointment_and_edits_are_saved_as_you_go()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserFixture.SignUpAsync(page);

        await page.GotoAsync("/cases");
        await page.GetByRole(AriaRole.Button, new() { Name = "+ New case" }).ClickAsync();
        var dialog = page.Locator("dialog");
        await dialog.GetByLabel("Case name").FillAsync("Anna Müller");
        await dialog.GetByLabel("Customer e-mail").FillAsync("anna@example.com");
        await Expect(dialog.GetByLabel("Send e-mail invitation")).ToBeCheckedAsync();
        await Expect(dialog.GetByLabel("Send SMS invitation")).ToBeDisabledAsync();
        await Expect(dialog.GetByText("Will be sent")).ToBeVisibleAsync();
        await dialog.GetByLabel("Start", new() { Exact = true }).FillAsync("14:00");
        await dialog.GetByLabel("End", new() { Exact = true }).FillAsync("14:45");
        await BrowserFixture.ScreenshotAsync(page, "12-new-case-dialog");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create case & send invitation" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/cases/[a-z2-7]+$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Anna Müller" })).ToBeVisibleAsync();
        await Expect(page.Locator("article.appointment")).ToContainTextAsync("Scheduled");
        await Expect(page.Locator(".case-item[aria-current='page']")).ToContainTextAsync("Next appointment");

        // Autosave: change a field, leave it, see "Saved", reload, still there
        await page.GetByLabel("Internal reference").FillAsync("KD-4711");
        await page.GetByLabel("Internal reference").PressAsync("Tab");
        await Expect(page.GetByText("✓ Saved")).ToBeVisibleAsync();
        await page.GetByLabel("Customer mobile number").FillAsync("12"); // the picker adds +49 (PhoneFieldTests); too short
        await page.GetByLabel("Customer mobile number").PressAsync("Tab");
        await Expect(page.GetByText("too short for its country code")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Customer mobile number")).ToHaveAttributeAsync("aria-invalid", "true");
        await BrowserFixture.ScreenshotAsync(page, "13-case-details");
        await page.ReloadAsync();
        await Expect(page.GetByLabel("Internal reference")).ToHaveValueAsync("KD-4711");
        await Expect(page.GetByLabel("Customer mobile number")).ToHaveValueAsync("");

        // Search finds it by reference prefix, ignoring case
        await page.GetByLabel("Search cases").FillAsync("kd-47");
        await Expect(page.Locator(".case-item")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task A_double_click_in_the_calendar_schedules_a_meeting_that_can_be_moved_and_cancelled()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserFixture.SignUpAsync(page);
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var today = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, berlin).Date;
        var nextWednesday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7) + 9).ToString("yyyy-MM-dd");

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main navigation" }).GetByRole(AriaRole.Link, new() { Name = "Calendar" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Calendar" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Next week" }).ClickAsync();
        await page.Locator($".slot[data-date='{nextWednesday}'][data-time='09:00']").DblClickAsync();

        var dialog = page.Locator("dialog");
        await Expect(dialog.GetByLabel("Date")).ToHaveValueAsync(nextWednesday);
        await Expect(dialog.GetByLabel("Start", new() { Exact = true })).ToHaveValueAsync("09:00");
        await Expect(dialog.GetByLabel("Type")).ToBeDisabledAsync(); // only individual meetings from the calendar
        await dialog.GetByLabel("Case", new() { Exact = true }).FillAsync("Carla Calendar");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "+ Create new case “Carla Calendar”" }).ClickAsync();
        await BrowserFixture.ScreenshotAsync(page, "14-calendar-new-appointment");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        var appointment = page.Locator($".day-col[data-date='{nextWednesday}'] .event");
        await Expect(appointment).ToContainTextAsync("Carla Calendar");
        await Expect(appointment).ToContainTextAsync("9:00 AM–9:30 AM"); // US English in this browser
        await BrowserFixture.ScreenshotAsync(page, "15-calendar-week");

        await appointment.ClickAsync();
        await dialog.GetByLabel("Start", new() { Exact = true }).FillAsync("11:00");
        await dialog.GetByLabel("End", new() { Exact = true }).FillAsync("11:30");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Reschedule" }).ClickAsync();
        await Expect(appointment).ToContainTextAsync("11:00 AM–11:30 AM");

        await appointment.ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel appointment" }).ClickAsync();
        var ask = page.Locator("dialog[data-dialog='cancel-appointment']");
        await ask.GetByLabel("Reason for cancelling (optional; the customer is told)").FillAsync("Customer asked to cancel");
        await ask.GetByRole(AriaRole.Button, new() { Name = "Cancel appointment" }).ClickAsync();
        await Expect(page.Locator($".day-col[data-date='{nextWednesday}'] .event")).ToHaveCountAsync(0);

        await page.GotoAsync("/cases");
        await page.Locator(".case-item", new() { HasText = "Carla Calendar" }).ClickAsync();
        await Expect(page.Locator("article.appointment")).ToContainTextAsync("Cancelled");
    }

}
