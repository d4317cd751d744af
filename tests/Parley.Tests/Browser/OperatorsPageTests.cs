using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Parley.Tests.Browser;

/// <summary>Settings → Operators: invitations by e-mail, re-sent links, confirmed deactivation, refused role changes.</summary>
[Collection(BrowserCollection.Name)]
public sealed class OperatorsPageTests(BrowserFixture fixture)
{
    [Theory]
    [InlineData("en")]
    [InlineData("de")]
    public async Task An_added_operator_gets_the_invitation_in_the_outbox_a_resent_link_replaces_it_and_the_new_link_sets_the_password(string language)
    {
        string T(string en, string de) => language == "de" ? de : en;
        var operatorEmail = $"otto.{Guid.NewGuid():N}@example.com";
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserFixture.SignUpAsync(page);
        await page.GetByLabel("Language", new() { Exact = true }).SelectOptionAsync(language);
        await page.GotoAsync("/settings/operators");

        var add = page.Locator("form").Filter(new() { Has = page.GetByRole(AriaRole.Button, new() { Name = T("Add operator", "Operator hinzufügen") }) });
        await add.GetByLabel("Name").FillAsync("Otto Operator");
        await add.GetByLabel(T("E-mail address", "E-Mail-Adresse")).FillAsync(operatorEmail);
        await add.GetByLabel(T("Language", "Sprache"), new() { Exact = true }).SelectOptionAsync(language);
        await add.GetByRole(AriaRole.Button, new() { Name = T("Add operator", "Operator hinzufügen") }).ClickAsync();
        await Expect(page.Locator($"[data-link-for='{operatorEmail}']")).ToContainTextAsync(T($"We e-mailed this one-time link to Otto Operator at {operatorEmail}", $"per E-Mail an Otto Operator ({operatorEmail})"));
        await BrowserFixture.ScreenshotAsync(page, $"operators-invited-{language}");

        var first = await InvitationLinkAsync(page, operatorEmail, T("Otto Operator, you have been invited to Parley by Kanzlei", "Otto Operator, Sie wurden von Kanzlei zu Parley eingeladen"), 1);
        await BrowserFixture.ScreenshotAsync(page, $"operators-invitation-outbox-{language}");

        await page.GotoAsync("/settings/operators");
        await page.Locator($"tr[data-operator='{operatorEmail}']").GetByRole(AriaRole.Button, new() { Name = T("Send new link", "Neuen Link senden") }).ClickAsync();
        await Expect(page.Locator($"[data-link-for='{operatorEmail}']")).ToContainTextAsync(T("an earlier link no longer works", "ein früherer Link gilt nicht mehr"));
        var second = await InvitationLinkAsync(page, operatorEmail, "Otto Operator", 2);
        Assert.NotEqual(first, second);

        await using var operatorContext = await fixture.NewContextAsync(language == "de" ? "de-DE" : "en-US");
        var op = await operatorContext.NewPageAsync();
        await SetPasswordAsync(op, first, T);
        await Expect(op.GetByRole(AriaRole.Alert)).ToContainTextAsync(T("invalid, expired or already used", "ungültig, abgelaufen oder schon verwendet"));
        await SetPasswordAsync(op, second, T);
        await Expect(op.GetByText(T("Your password is set.", "Ihr Passwort ist gesetzt."))).ToBeVisibleAsync();
        await op.GetByLabel(T("E-mail address", "E-Mail-Adresse")).FillAsync(operatorEmail);
        await op.GetByLabel(T("Password", "Passwort"), new() { Exact = true }).FillAsync("otto's own passphrase");
        await op.GetByRole(AriaRole.Button, new() { Name = T("Sign in", "Anmelden") }).ClickAsync();
        await Expect(op).ToHaveURLAsync(new Regex("/cases$"));
    }

    [Theory]
    [InlineData("en")]
    [InlineData("de")]
    public async Task Deactivating_asks_in_a_dialog_and_a_refused_role_change_puts_the_stored_role_back_and_says_why(string language)
    {
        string T(string en, string de) => language == "de" ? de : en;
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var browserDialogs = 0;
        page.Dialog += async (_, d) => { browserDialogs++; await d.DismissAsync(); };
        var adminEmail = await BrowserFixture.SignUpAsync(page);
        await page.GetByLabel("Language", new() { Exact = true }).SelectOptionAsync(language);
        await page.GotoAsync("/settings/operators");
        var operatorEmail = $"berta.{Guid.NewGuid():N}@example.com";
        var add = page.Locator("form").Filter(new() { Has = page.GetByRole(AriaRole.Button, new() { Name = T("Add operator", "Operator hinzufügen") }) });
        await add.GetByLabel("Name").FillAsync("Berta Beraterin");
        await add.GetByLabel(T("E-mail address", "E-Mail-Adresse")).FillAsync(operatorEmail);
        await add.GetByRole(AriaRole.Button, new() { Name = T("Add operator", "Operator hinzufügen") }).ClickAsync();
        var row = page.Locator($"tr[data-operator='{operatorEmail}']");

        // The only administrator cannot make themselves an operator: the select goes back and the reason shows.
        var ownRole = page.Locator($"tr[data-operator='{adminEmail}']").GetByRole(AriaRole.Combobox);
        await ownRole.SelectOptionAsync("operator");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync(T("The role of Anna Admin stays “Administrator”", "Die Rolle von Anna Admin bleibt „Administrator“"));
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync(T("at least one active administrator", "mindestens einen aktiven Administrator"));
        await Expect(page.Locator($"tr[data-operator='{adminEmail}']").GetByRole(AriaRole.Combobox)).ToHaveValueAsync("administrator");
        await BrowserFixture.ScreenshotAsync(page, $"operators-role-refused-{language}");

        // Deactivating asks first; Cancel changes nothing.
        await row.GetByRole(AriaRole.Button, new() { Name = T("Deactivate", "Deaktivieren") }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Alertdialog, new() { Name = T("Deactivate Berta Beraterin?", "Berta Beraterin deaktivieren?") });
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog).ToContainTextAsync(T("signed out at once", "sofort abgemeldet"));
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = T("Cancel", "Abbrechen") })).ToBeFocusedAsync();
        await BrowserFixture.ScreenshotAsync(page, $"operators-deactivate-dialog-{language}");
        await dialog.GetByRole(AriaRole.Button, new() { Name = T("Cancel", "Abbrechen") }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        await Expect(row).ToContainTextAsync(T("Active", "Aktiv"));

        await row.GetByRole(AriaRole.Button, new() { Name = T("Deactivate", "Deaktivieren") }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = T("Deactivate", "Deaktivieren") }).ClickAsync();
        await Expect(row).ToContainTextAsync(T("Deactivated", "Deaktiviert"));
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = T("Reactivate", "Reaktivieren") })).ToBeVisibleAsync();
        Assert.Equal(0, browserDialogs);
    }

    /// <summary>Opens the outbox until <paramref name="count"/> invitations to the operator are there; returns the newest one's link.</summary>
    private static async Task<string> InvitationLinkAsync(IPage page, string operatorEmail, string subject, int count)
    {
        await page.GotoAsync("/settings/outbox");
        var mails = page.Locator("article.outbox-entry[data-channel='email']").Filter(new() { HasText = operatorEmail });
        await Expect(mails).ToHaveCountAsync(count);
        await Expect(mails.First).ToContainTextAsync(subject);
        return (await mails.First.Locator("a[href*='/set-password#token=']").GetAttributeAsync("href"))!;
    }

    private static async Task SetPasswordAsync(IPage page, string link, Func<string, string, string> T)
    {
        await page.GotoAsync("about:blank");
        await page.GotoAsync(link);
        await page.GetByLabel(T("New password", "Neues Passwort")).FillAsync("otto's own passphrase");
        await page.GetByLabel(T("Repeat the password", "Passwort wiederholen")).FillAsync("otto's own passphrase");
        await page.GetByRole(AriaRole.Button, new() { Name = T("Save password", "Passwort speichern") }).ClickAsync();
    }
}
