using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Parley.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class OutboxTests(BrowserFixture fixture)
{
    [Fact]
    public async Task An_appointment_with_sms_and_email_appears_in_the_outbox_in_the_chosen_language_with_its_join_link()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserFixture.SignUpAsync(page, $"outbox.{Guid.NewGuid():N}@example.com", business: "Praxis Sonnenschein");

        await page.GotoAsync("/cases");
        await page.GetByRole(AriaRole.Button, new() { Name = "+ New case" }).ClickAsync();
        var dialog = page.Locator("dialog");
        await dialog.GetByLabel("Case name").FillAsync("Jürgen Groß");
        await dialog.GetByLabel("Customer e-mail").FillAsync("juergen@example.com");
        await dialog.GetByLabel("Customer mobile number").FillAsync("+49 170 5550123");
        await Expect(dialog.GetByLabel("Send SMS invitation")).ToBeCheckedAsync();
        await Expect(dialog.GetByLabel("Send e-mail invitation")).ToBeCheckedAsync();
        await dialog.GetByLabel("Invitation language").SelectOptionAsync("de");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create case & send invitation" }).ClickAsync();
        await Expect(page.Locator("article.appointment")).ToContainTextAsync("Scheduled");
        var joinUrl = await page.Locator("article.appointment .copy-link button[data-url]").GetAttributeAsync("data-url") ?? "";

        await page.GotoAsync("/settings/outbox");
        var entries = page.Locator("article.outbox-entry");
        for (var i = 0; i < 60 && await entries.CountAsync() < 2; i++)
        {
            await page.WaitForTimeoutAsync(250);
            await page.ReloadAsync();
        }
        await Expect(entries).ToHaveCountAsync(2);
        var email = page.Locator("article.outbox-entry[data-channel='email']");
        var sms = page.Locator("article.outbox-entry[data-channel='sms']");
        await Expect(email).ToContainTextAsync("Ihr Termin bei Praxis Sonnenschein am");
        await Expect(email).ToContainTextAsync("Guten Tag Jürgen Groß,");
        await Expect(sms).ToContainTextAsync("+491705550123");
        await Expect(sms).ToContainTextAsync("Teilnehmen:");
        await Expect(email.GetByRole(AriaRole.Link, new() { Name = joinUrl })).ToHaveAttributeAsync("href", joinUrl);
        await Expect(sms.GetByRole(AriaRole.Link, new() { Name = joinUrl })).ToBeVisibleAsync();
        Assert.StartsWith(fixture.BaseUrl + "/meet#", joinUrl.Replace("127.0.0.1", "localhost", StringComparison.Ordinal));
        await email.GetByText("Show the e-mail as sent").ClickAsync();
        var rendered = email.FrameLocator("iframe[sandbox='']");
        await Expect(rendered.Locator("body")).ToContainTextAsync("Guten Tag Jürgen Groß,");
        await Expect(rendered.Locator($"a[href='{joinUrl}']")).ToHaveCountAsync(1);
        await BrowserFixture.ScreenshotAsync(page, "16-outbox");

        await page.GotoAsync("/cases");
        await page.Locator(".case-item", new() { HasText = "Jürgen Groß" }).ClickAsync();
        await page.GetByText("Messages to the customer").ClickAsync();
        await Expect(page.Locator(".message-status li[data-status='sent']")).ToHaveCountAsync(2);
    }
}
