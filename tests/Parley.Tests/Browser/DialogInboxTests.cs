using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Parley.Tests.Browser;

/// <summary>The dialog inbox (seed 004): answering from the row, message columns that use the room there is, no German in English.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class DialogInboxTests(BrowserFixture fixture)
{
    private const string LongMessage = "Guten Tag, ich hätte gern einen Termin zur Steuererklärung und bringe alle Unterlagen aus dem letzten Jahr mit, auch die Belege.";

    [Theory]
    [InlineData("en")]
    [InlineData("de")]
    public async Task An_adviser_answers_from_the_inbox_row_with_call_customer_and_the_row_turns_green(string language)
    {
        string T(string en, string de) => language == "de" ? de : en;
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserFixture.SignUpAsync(page, adminName: "Anna Adviser");
        var key = await SetUpDialogsAsync(page);
        var customerId = await StartDialogAsync(key, "Petra aus Köln", LongMessage, callPhone: "+49 170 1112233");
        await page.GetByLabel("Language", new() { Exact = true }).SelectOptionAsync(language);
        await page.GotoAsync("/dialogs");

        var row = page.Locator("tr[data-dialog]").Filter(new() { HasText = customerId });
        await Expect(row.Locator("td[data-color]")).ToHaveAttributeAsync("data-color", "red");
        await row.GetByRole(AriaRole.Button, new() { Name = T("Answer", "Antworten") }).ClickAsync();
        var reply = page.Locator("tr.reply-row");
        await Expect(reply.GetByLabel(T("Your answer", "Ihre Antwort"))).ToBeFocusedAsync();
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = T("Answer", "Antworten") })).ToHaveAttributeAsync("aria-expanded", "true");

        // Sending nothing is refused next to the field; then the answer goes out with the automated call.
        await reply.GetByRole(AriaRole.Button, new() { Name = T("Send", "Senden") }).ClickAsync();
        await Expect(reply.GetByLabel(T("Your answer", "Ihre Antwort"))).ToHaveAttributeAsync("aria-invalid", "true");
        await reply.GetByLabel(T("Your answer", "Ihre Antwort")).FillAsync("Gern, morgen um 10 Uhr.");
        await reply.GetByRole(AriaRole.Checkbox).CheckAsync();
        await BrowserFixture.ScreenshotAsync(page, $"dialogs-inbox-answer-{language}");
        await reply.GetByRole(AriaRole.Button, new() { Name = T("Send", "Senden") }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync(T($"Your answer to customer {customerId} was sent", $"Ihre Antwort an Kunde {customerId} wurde gesendet"));
        await Expect(page.Locator("tr.reply-row")).ToHaveCountAsync(0);
        await Expect(row.Locator("td[data-color]")).ToHaveAttributeAsync("data-color", "green");
        await Expect(row.Locator("td[data-color]")).ToContainTextAsync("Gern, morgen um 10 Uhr.");

        // The answer reached the customer by e-mail and by the automated call that was asked for.
        await page.GotoAsync("/settings/outbox");
        // (in the customer's language, German here)
        await DialogStoryTests.WaitForAsync(page, page.Locator("article.outbox-entry[data-channel='call']").Filter(new() { HasText = "Ein Berater hat Ihnen eine Nachricht" }));
    }

    [Theory]
    [InlineData("en", 1280)]
    [InlineData("en", 1366)]
    [InlineData("de", 1280)]
    [InlineData("de", 1366)]
    public async Task The_message_columns_use_the_width_there_is_and_the_english_inbox_has_no_german(string language, int width)
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.SetViewportSizeAsync(width, 800);
        await BrowserFixture.SignUpAsync(page, adminName: "Anna Adviser");
        var key = await SetUpDialogsAsync(page);
        await StartDialogAsync(key, "Petra aus Köln", LongMessage);
        await page.GetByLabel("Language", new() { Exact = true }).SelectOptionAsync(language);
        await page.GotoAsync("/dialogs");
        var cells = page.Locator("tr[data-dialog] td.ellipsis");
        await Expect(cells).ToHaveCountAsync(2);
        await BrowserFixture.ScreenshotAsync(page, $"dialogs-inbox-{language}-{width}");

        var table = await page.Locator(".dialogs-table").BoundingBoxAsync();
        var wrap = await page.Locator(".dialogs-table").EvaluateAsync<int[]>("t => [t.parentElement.scrollWidth, t.parentElement.clientWidth]");
        foreach (var cell in await cells.AllAsync())
        {
            var box = await cell.BoundingBoxAsync();
            Assert.True(box!.Width >= 180, $"a message column is {box.Width:0}px of the table's {table!.Width:0}px at {width}px ({language})");
        }
        Assert.True(wrap[0] <= wrap[1], $"the inbox scrolls sideways at {width}px ({language}): {wrap[0]} > {wrap[1]}");
        if (language == "en")
        {
            // The customer's own words (keyword, message) are theirs; everything else on the page must be English.
            var text = await page.Locator("main").InnerTextAsync();
            var ours = text.Replace("Petra aus Köln", "").Replace(LongMessage, "");
            Assert.DoesNotMatch(GermanRegex(), ours);
        }
    }

    /// <summary>A secret word and the administrator's own alerts, through the API the dashboard uses; returns the adviser's widget key.</summary>
    private static async Task<string> SetUpDialogsAsync(IPage page)
    {
        await DashboardApi.PostAsync(page, "/api/dialog-settings/secret-words", new { word = "demo13" });
        var alerts = await DashboardApi.SendAsync(page, "PUT", "/api/me/dialog-alerts",
            new { email = "alerts.anna@example.com", emailOn = true, voicePhone = (string?)null, voiceOn = false, smsPhone = (string?)null, smsOn = false });
        return alerts.GetProperty("widgetKey").GetString()!;
    }

    /// <summary>A customer's request through the widget's endpoint, wishing an appointment next week; returns the customer id.</summary>
    private async Task<string> StartDialogAsync(string key, string keyword, string message, string? callPhone = null)
    {
        using var http = new HttpClient { BaseAddress = new Uri(fixture.BaseUrl) };
        http.DefaultRequestHeaders.Add("X-Parley-Client", "widget"); // as the widget frame sends it (api.ts)
        using var response = await http.PostAsJsonAsync($"/api/widget/{key}/dialogs", new
        {
            mode = "wish", wishedDate = DateTime.UtcNow.AddDays(7).ToString("yyyy-MM-dd"), wishedTime = "10:00", timeZone = "Europe/Berlin",
            keyword, message, email = $"petra.{Guid.NewGuid():N}@example.com", callPhone, smsPhone = (string?)null, secretWord = "demo13", language = "de",
        });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("customerId").GetString()!;
    }

    [GeneratedRegex(@"[äöüÄÖÜß]|\b(und|oder|nicht|Uhr|Kunde|Antwort|Anfrage|Termin|Nachricht|zeigen|Noch keine)\b")]
    private static partial Regex GermanRegex();
}
