using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Parley.Tests.Browser;

/// <summary>Phone fields as the help articles describe them: a flag picker with the dialling code next to a free number field.</summary>
[Collection(BrowserCollection.Name)]
public sealed class PhoneFieldTests(BrowserFixture fixture)
{
    private static readonly Dictionary<string, (string Phone, string CountryCode, string Saved, string TooShort)> Text = new()
    {
        ["en"] = ("Customer mobile number", "Country code", "Saved", "This number is too short for its country code."),
        ["de"] = ("Mobilnummer des Kunden", "Ländervorwahl", "Gespeichert", "Diese Nummer ist für ihre Ländervorwahl zu kurz."),
    };

    [Theory]
    [InlineData("en")]
    [InlineData("de")]
    public async Task Picking_Germany_and_typing_9999_999_stores_plus_499999999_and_shows_it_grouped(string language)
    {
        var text = Text[language];
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserFixture.SignUpAsync(page); // time zone Europe/Berlin
        await page.EvaluateAsync("lang => localStorage.setItem('parley.language', lang)", language);
        var caseId = await page.EvaluateAsync<string>("""
            async () => (await (await fetch('/api/cases', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Parley-Client': 'dashboard' },
              body: JSON.stringify({ name: 'Erika Mustermann' }) })).json()).id
            """);
        await page.GotoAsync($"/cases/{caseId}");
        var phone = page.GetByLabel(text.Phone);
        var country = page.GetByLabel(text.CountryCode);

        // The account's time zone (Europe/Berlin) chooses the country; another one can be picked, and picking replaces the typed code.
        await Expect(country).ToHaveValueAsync("DE");
        await country.SelectOptionAsync("AT");
        await phone.FillAsync("9999 999");
        await Expect(phone).ToHaveValueAsync("+43 9999 999");
        await country.SelectOptionAsync("DE");
        await Expect(phone).ToHaveValueAsync("+49 9999 999");
        await Expect(page.GetByText("✓ " + text.Saved)).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, $"40-phone-picker-{language}");

        await page.ReloadAsync();
        await Expect(phone).ToHaveValueAsync("+49 9999 999");
        await Expect(country).ToHaveValueAsync("DE");
        var stored = await page.EvaluateAsync<JsonElement>($"async () => (await fetch('/api/cases/{caseId}', {{ headers: {{ 'X-Parley-Client': 'dashboard' }} }})).json()");
        Assert.Equal("+499999999", stored.GetProperty("phone").GetString());

        // A typed country code wins over the picker.
        await phone.FillAsync("+41 44 668 18 00");
        await Expect(country).ToHaveValueAsync("CH");

        // A number too short for its country is refused on the field, in the page's language.
        await phone.FillAsync("12");
        await Expect(phone).ToHaveValueAsync("+41 12");
        await phone.PressAsync("Tab");
        await Expect(page.GetByText(text.TooShort)).ToBeVisibleAsync();
        await Expect(phone).ToHaveAttributeAsync("aria-invalid", "true");
        await BrowserFixture.ScreenshotAsync(page, $"41-phone-invalid-{language}");
    }

    [Theory]
    [InlineData("en", "Phone for SMS", "Phone for a call", "Send request", "too short")]
    [InlineData("de", "Handy für SMS", "Telefon für einen Anruf", "Anfrage senden", "zu kurz")]
    public async Task The_dialog_widget_has_the_country_picker_too(string language, string smsLabel, string callLabel, string send, string tooShort)
    {
        await using var adviserContext = await fixture.NewContextAsync();
        var adviser = await adviserContext.NewPageAsync();
        await BrowserFixture.SignUpAsync(adviser);
        var widgetKey = await adviser.EvaluateAsync<string>("async () => (await (await fetch('/api/me/dialog-alerts', { headers: { 'X-Parley-Client': 'dashboard' } })).json()).widgetKey");
        await using var customerContext = await fixture.NewContextAsync(language == "de" ? "de-DE" : "en-US");
        var widget = await customerContext.NewPageAsync();
        await widget.SetViewportSizeAsync(640, 1100); // the frame's size in the overlay, tall enough for one screenshot without its sticky header in the middle

        await widget.GotoAsync($"/widget/{widgetKey}?lang={language}");
        var sms = widget.GetByLabel(smsLabel);
        var smsCountry = widget.Locator(".phone-input", new() { Has = sms }).Locator("select");
        await smsCountry.SelectOptionAsync("DE");
        await sms.FillAsync("0170 1234567");
        await Expect(sms).ToHaveValueAsync("+49 0170 1234567");
        // Typed key by key with the international prefix 00: the code put in front gives way to the typed one.
        await widget.GetByLabel(callLabel).PressSequentiallyAsync("0043 1");
        await Expect(widget.GetByLabel(callLabel)).ToHaveValueAsync("+43 1");
        await Expect(widget.Locator(".phone-input", new() { Has = widget.GetByLabel(callLabel) }).Locator("select")).ToHaveValueAsync("AT");
        await widget.Locator("textarea").FillAsync("Bitte um Rückruf");
        await widget.Locator("input[name=keyword]").FillAsync("Petra");
        await widget.Locator("input[name=email]").FillAsync("petra@example.com");
        await widget.Locator("input[name=secretWord]").FillAsync("demo13");
        await widget.GetByRole(AriaRole.Button, new() { Name = send }).ClickAsync();

        await Expect(widget.GetByText(new Regex(tooShort))).ToBeVisibleAsync();
        await Expect(widget.GetByLabel(callLabel)).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(sms).Not.ToHaveAttributeAsync("aria-invalid", "true");
        await BrowserFixture.ScreenshotAsync(widget, $"42-widget-phone-{language}");
    }

    [Theory]
    [InlineData("en", "Phone for voice alerts", "Voice alerts on", "Caller ID for alert calls", "Save", "Saved.")]
    [InlineData("de", "Telefon für Anruf-Benachrichtigungen", "Anruf-Benachrichtigung an", "Absendernummer für Alarmanrufe", "Speichern", "Gespeichert.")]
    public async Task Alert_numbers_and_the_caller_id_take_a_national_number_in_the_chosen_country_and_show_it_grouped(
        string language, string voiceLabel, string voiceOn, string callerIdLabel, string save, string saved)
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserFixture.SignUpAsync(page);
        await page.EvaluateAsync("lang => localStorage.setItem('parley.language', lang)", language);

        await page.GotoAsync("/settings/profile");
        var alerts = page.Locator("#dialog-alerts");
        await Expect(alerts.Locator(".phone-input select").First).ToHaveValueAsync("DE");
        await alerts.GetByLabel(voiceLabel).FillAsync("0170 9998877");
        await alerts.GetByLabel(voiceOn).CheckAsync();
        await alerts.GetByRole(AriaRole.Button, new() { Name = save }).ClickAsync();
        await Expect(alerts.GetByText(saved)).ToBeVisibleAsync();
        await page.ReloadAsync();
        await Expect(page.GetByLabel(voiceLabel)).ToHaveValueAsync("+49 170 9998877");
        await BrowserFixture.ScreenshotAsync(page, $"43-profile-alert-phone-{language}");

        await page.GotoAsync("/settings/dialogs");
        await page.GetByLabel(callerIdLabel).FillAsync("+41 44 668 18 00");
        var settingsForm = page.Locator("form", new() { Has = page.GetByLabel(callerIdLabel) });
        await settingsForm.GetByRole(AriaRole.Button, new() { Name = save }).ClickAsync();
        await Expect(settingsForm.GetByText(saved)).ToBeVisibleAsync();
        await page.ReloadAsync();
        await Expect(page.GetByLabel(callerIdLabel)).ToHaveValueAsync("+41 44 668 18 00");
        await Expect(page.Locator(".phone-input", new() { Has = page.GetByLabel(callerIdLabel) }).Locator("select")).ToHaveValueAsync("CH");
    }
}
