using Microsoft.Playwright;
using Parley.Tests.Browser;
using static Microsoft.Playwright.Assertions;

namespace Parley.Tests.Abuse;

/// <summary>The abuse guard's account settings on Settings → Account: shown with their defaults, saved, refused with a field error.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AbuseSettingsPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Administrators_set_the_daily_cap_and_the_sms_country_codes_on_the_account_page()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserFixture.SignUpAsync(page); // Europe/Berlin

        var perDay = page.GetByLabel("Messages public pages may cause per day");
        var codes = page.GetByLabel("Country codes for text messages from public pages");
        await Expect(perDay).ToHaveValueAsync("200");
        await Expect(codes).ToHaveValueAsync("+49"); // the account's own country, from its time zone

        await perDay.FillAsync("50");
        await codes.FillAsync("+49, +43 41");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByText("Saved.")).ToBeVisibleAsync();
        await page.ReloadAsync();
        await Expect(perDay).ToHaveValueAsync("50");
        await Expect(codes).ToHaveValueAsync("+41, +43, +49");

        await codes.FillAsync("+49, +999");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByText("+999 is not a country calling code.")).ToBeVisibleAsync();
        await page.ReloadAsync();
        await Expect(codes).ToHaveValueAsync("+41, +43, +49");
    }
}
