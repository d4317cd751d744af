using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;
using Parley.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Parley.Tests.Browser;

/// <summary>
/// The whole dialog story in Chromium: the adviser's button on a host page of another site, the customer's request in
/// the widget frame, the red inbox row, the outbox's alert e-mail and call, the adviser's answer with "call customer",
/// the customer's reply through the e-mailed link, the black inbox row — with script-looking text in every free field.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DialogStoryTests(BrowserFixture fixture)
{
    private const string Xss1 = "<img src=x onerror=\"window.__xss=1\">";
    private const string Xss2 = "<script>window.__xss=2</script>";
    private const string Xss3 = "\"><svg onload=window.__xss=3>";
    private const string Xss4 = "javascript:window.__xss=4";

    [Fact]
    public async Task A_customer_starts_a_dialog_on_a_host_page_and_adviser_and_customer_write_back_and_forth()
    {
        await using var adviserContext = await fixture.NewContextAsync();
        var adviser = await adviserContext.NewPageAsync();
        var popups = new List<string>();
        adviser.Dialog += (_, d) => { popups.Add(d.Message); _ = d.DismissAsync(); };
        await BrowserFixture.SignUpAsync(adviser, business: "Kanzlei Beispiel", adminName: "Anna Adviser");

        // Administrator: a secret word; the adviser's own alerts; the embed snippet.
        await adviser.GotoAsync("/settings/dialogs");
        await adviser.GetByLabel("New secret word").FillAsync("demo13");
        await adviser.GetByRole(AriaRole.Button, new() { Name = "Add secret word" }).ClickAsync();
        await Expect(adviser.GetByText("demo13", new() { Exact = true })).ToBeVisibleAsync();
        await adviser.GotoAsync("/settings/profile");
        await adviser.GetByLabel("Notification e-mail").FillAsync("alerts.anna@example.com");
        await adviser.GetByLabel("E-mail alerts on").CheckAsync();
        await adviser.GetByLabel("Phone for voice alerts").FillAsync("+49 170 9998877");
        await adviser.GetByLabel("Voice alerts on").CheckAsync();
        var alertsCard = adviser.Locator(".card", new() { Has = adviser.GetByLabel("Phone for voice alerts") });
        await alertsCard.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(alertsCard.GetByText("Saved.")).ToBeVisibleAsync();
        var snippet = await adviser.Locator("pre code", new() { HasText = "widget.js" }).First.InnerTextAsync();
        Assert.Contains(fixture.BaseUrl + "/widget.js", snippet);

        // The business pastes the snippet into its own website (another site: 127.0.0.1 vs localhost).
        await using var host = await FakeHttpServer.StartAsync(async (context, _) =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync($"<!doctype html><html lang=\"en\"><head><title>Kanzlei Beispiel</title></head><body><h1>Our advisers</h1>{snippet}</body></html>");
        });

        // The customer, on the host page.
        await using var customerContext = await fixture.NewContextAsync();
        var customer = await customerContext.NewPageAsync();
        customer.Dialog += (_, d) => { popups.Add(d.Message); _ = d.DismissAsync(); };
        await customer.GotoAsync(host.BaseAddress.ToString());
        await customer.GetByRole(AriaRole.Button, new() { Name = "Request a talk" }).ClickAsync();
        var frameElement = customer.Locator("iframe");
        await Expect(frameElement).ToHaveAttributeAsync("src", new Regex("^" + Regex.Escape(fixture.BaseUrl) + "/widget/"));
        var widget = customer.FrameLocator("iframe");
        await widget.GetByLabel("I'd like a talk on a date").CheckAsync();
        // Loaded from Parley's origin, the frame is closed to the host page's scripts.
        Assert.Equal("blocked", await customer.EvaluateAsync<string>("() => { try { return document.querySelector('iframe').contentDocument ? 'readable' : 'blocked'; } catch { return 'blocked'; } }"));
        await widget.GetByLabel("Date", new() { Exact = true }).FillAsync(DateTime.UtcNow.Date.AddDays(3).ToString("yyyy-MM-dd"));
        await widget.GetByLabel("About").FillAsync("10:30");
        await widget.GetByLabel("Recognition keyword").FillAsync("Petra " + Xss1);
        await widget.GetByLabel("Short message to the adviser").FillAsync("Termin bitte " + Xss2 + Xss3);
        await widget.GetByLabel("E-mail", new() { Exact = true }).FillAsync("petra.koeln@example.com");
        await widget.GetByLabel("Phone for a call").FillAsync("+49 170 1112233");
        await widget.GetByLabel("Secret word", new() { Exact = true }).FillAsync("demo14");
        await widget.GetByRole(AriaRole.Button, new() { Name = "Send request" }).ClickAsync();
        await Expect(widget.Locator("body")).ToContainTextAsync("secret word"); // a wrong word is refused with a clear message
        await widget.GetByLabel("Secret word", new() { Exact = true }).FillAsync("demo13");
        await widget.GetByLabel("Remember my details on this device").CheckAsync();
        await widget.GetByRole(AriaRole.Button, new() { Name = "Send request" }).ClickAsync();
        await Expect(widget.Locator("body")).ToContainTextAsync(new Regex("customer ID is [A-Z]{5}"));
        await BrowserFixture.ScreenshotAsync(customer, "20-widget-on-host-page");
        var customerId = Regex.Match(await widget.Locator("body").InnerTextAsync(), "customer ID is ([A-Z]{5})").Groups[1].Value;
        await widget.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        await Expect(customer.Locator("iframe")).ToHaveCountAsync(0);
        // Opened again on this device: the details are back, the secret word is not (it was not explicitly remembered).
        await customer.GetByRole(AriaRole.Button, new() { Name = "Request a talk" }).ClickAsync();
        await Expect(widget.GetByLabel("Phone for a call")).ToBeVisibleAsync();
        await Expect(widget.GetByLabel("E-mail", new() { Exact = true })).ToHaveValueAsync("petra.koeln@example.com");
        await Expect(widget.GetByLabel("Phone for a call")).ToHaveValueAsync(new Regex("1112233"));
        await Expect(widget.GetByLabel("Secret word", new() { Exact = true })).ToHaveValueAsync("");
        await widget.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        await Expect(customer.Locator("iframe")).ToHaveCountAsync(0);

        // The adviser's inbox: red "No answer yet"; the text shows as text.
        await adviser.GotoAsync("/dialogs");
        var row = adviser.Locator("tr", new() { HasText = customerId });
        await Expect(row.Locator("[data-color='red']")).ToContainTextAsync("No answer yet");
        await Expect(row).ToContainTextAsync("Petra " + Xss1);
        await BrowserFixture.ScreenshotAsync(adviser, "21-dialog-inbox-red");

        // The outbox holds the adviser's alert e-mail and the alert call.
        await adviser.GotoAsync("/settings/outbox");
        await WaitForAsync(adviser, adviser.Locator("article.outbox-entry[data-channel='call']", new() { HasText = "hung up" }));
        await Expect(adviser.Locator("article.outbox-entry[data-channel='email']", new() { HasText = "alerts.anna@example.com" })).ToContainTextAsync(customerId);
        await Expect(adviser.Locator("article.outbox-entry[data-channel='call']")).ToContainTextAsync("A customer has left you a message by e-mail.");
        await BrowserFixture.ScreenshotAsync(adviser, "22-dialog-outbox-alerts");

        // The adviser answers and has the customer called.
        await adviser.GotoAsync("/dialogs");
        await adviser.Locator("tr", new() { HasText = customerId }).GetByRole(AriaRole.Button, new() { Name = "Show dialog" }).ClickAsync();
        await adviser.GetByLabel("Your answer").FillAsync("Gerne am Donnerstag. " + Xss4);
        await adviser.GetByLabel(new Regex("^Call the customer")).CheckAsync();
        await adviser.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Expect(adviser.GetByText("Gerne am Donnerstag. " + Xss4)).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(adviser, "23-dialog-thread");

        // The customer's e-mail in the outbox carries the reply link; the customer answers through it.
        await adviser.GotoAsync("/settings/outbox");
        // Even there the customer's address and number read "(hidden)", as on every other screen.
        var answer = adviser.Locator("article.outbox-entry[data-channel='email']", new() { HasText = "(hidden)" });
        await WaitForAsync(adviser, answer);
        await WaitForAsync(adviser, adviser.Locator("article.outbox-entry[data-channel='call']", new() { HasText = "(hidden)" }));
        var outboxHtml = await adviser.ContentAsync();
        Assert.DoesNotContain("petra.koeln", outboxHtml);
        Assert.DoesNotContain("1112233", outboxHtml);
        var replyLink = await answer.Locator("a[href*='/reply#']").First.GetAttributeAsync("href");
        await customer.GotoAsync(replyLink!);
        await Expect(customer.GetByText("Gerne am Donnerstag. " + Xss4)).ToBeVisibleAsync();
        await customer.GetByLabel("Your reply").FillAsync("Donnerstag passt. " + Xss1);
        await customer.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Expect(customer.GetByText("Sent.", new() { Exact = false })).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(customer, "24-dialog-reply-page");
        var customerPage = await customer.ContentAsync();
        Assert.DoesNotContain("alerts.anna@example.com", customerPage);
        Assert.DoesNotContain("9998877", customerPage);

        // Back in the inbox the customer wrote last: black.
        await adviser.GotoAsync("/dialogs");
        var answered = adviser.Locator("tr", new() { HasText = customerId });
        await Expect(answered.Locator("[data-color='black']")).ToContainTextAsync("Donnerstag passt.");
        await BrowserFixture.ScreenshotAsync(adviser, "25-dialog-inbox-black");
        var inboxHtml = await adviser.ContentAsync();
        Assert.DoesNotContain("petra.koeln", inboxHtml);
        Assert.DoesNotContain("1112233", inboxHtml);

        // The adviser turns the dialog into a case: the case page says the contact is hidden and shows no address.
        await answered.GetByRole(AriaRole.Button, new() { Name = "Show dialog" }).ClickAsync();
        await adviser.GetByRole(AriaRole.Button, new() { Name = "Create case with appointment" }).ClickAsync();
        await adviser.GetByRole(AriaRole.Button, new() { Name = "Create case", Exact = true }).ClickAsync();
        await Expect(adviser.GetByText($"Contact hidden (from dialog {customerId})")).ToBeVisibleAsync();
        await Expect(adviser.GetByText("Created from an adviser dialog", new() { Exact = false })).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(adviser, "26-dialog-case-contact-hidden");
        var caseHtml = await adviser.ContentAsync();
        Assert.DoesNotContain("petra.koeln", caseHtml);
        Assert.DoesNotContain("1112233", caseHtml);
        Assert.DoesNotContain("4445566", caseHtml);

        Assert.Empty(popups);
        foreach (var page in new[] { adviser, customer })
        {
            Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.__xss"));
        }
    }


    /// <summary>The outbox fills as the queue pump works: reload until the entry is there.</summary>
    internal static async Task WaitForAsync(IPage page, ILocator locator)
    {
        // Until a deadline, not a number of reloads: under the full suite's load a reload is slow and the workflows behind
        // the entry (an automated call's callbacks) take longer; 90 s like the API tests' Finish.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline && await locator.CountAsync() == 0)
        {
            await page.WaitForTimeoutAsync(250);
            await page.ReloadAsync();
        }
        await Expect(locator.First).ToBeVisibleAsync();
    }
}
