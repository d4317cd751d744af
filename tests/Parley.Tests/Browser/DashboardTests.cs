using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Parley.Tests.Browser;

/// <summary>The dashboard in real Chromium against the real app: what an administrator does on day one.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardTests(BrowserFixture fixture)
{
    private const string Password = "correct horse battery staple";

    [Fact]
    public async Task An_administrator_signs_up_signs_out_and_in_adds_an_operator_who_sets_a_password_and_signs_in_and_manages_api_keys()
    {
        var adminEmail = $"anna.{Guid.NewGuid():N}@example.com";
        var operatorEmail = $"otto.{Guid.NewGuid():N}@example.com";
        await using var adminContext = await fixture.NewContextAsync();
        var page = await adminContext.NewPageAsync();
        var browserDialogs = 0;
        page.Dialog += async (_, dialog) => { browserDialogs++; await dialog.DismissAsync(); }; // none expected: confirmations are page dialogs

        // Sign up
        await page.GotoAsync("/sign-up");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Create your Parley account" })).ToBeVisibleAsync();
        await page.GetByLabel("Business name").FillAsync("Kanzlei Beispiel");
        await page.GetByLabel("Time zone").FillAsync("Europe/Berlin");
        await page.GetByLabel("Your name").FillAsync("Anna Admin");
        await page.GetByLabel("Your e-mail address").FillAsync(adminEmail);
        await page.GetByLabel("Password").FillAsync(Password);
        await BrowserFixture.ScreenshotAsync(page, "01-sign-up");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/settings/account$"));
        await Expect(page.GetByLabel("Business name")).ToHaveValueAsync("Kanzlei Beispiel");
        await BrowserFixture.ScreenshotAsync(page, "02-account-settings");

        // Sign out, sign in
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/sign-in"));
        await Expect(page.GetByText("You are signed out.")).ToBeVisibleAsync();
        await page.GetByLabel("E-mail address").FillAsync(adminEmail);
        await page.GetByLabel("Password").FillAsync(Password);
        await BrowserFixture.ScreenshotAsync(page, "03-sign-in");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/cases$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Cases" })).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "04-cases-empty");

        // Add an operator; the one-time link is shown with a copy button
        await Nav(page, "Settings").ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Operators" }).ClickAsync();
        var add = page.Locator("form").Filter(new() { Has = page.GetByRole(AriaRole.Button, new() { Name = "Add operator" }) });
        await add.GetByLabel("Name").FillAsync("Otto Operator");
        await add.GetByLabel("E-mail address").FillAsync(operatorEmail);
        await add.GetByLabel("Line ID / extension").FillAsync("201");
        await add.GetByRole(AriaRole.Button, new() { Name = "Add operator" }).ClickAsync();
        var link = page.Locator("code").Filter(new() { HasText = "/set-password#token=" });
        await Expect(link).ToBeVisibleAsync();
        await Expect(page.Locator($"tr[data-operator='{operatorEmail}']")).ToContainTextAsync("201");
        await BrowserFixture.ScreenshotAsync(page, "05-operators");
        var setPasswordUrl = await link.InnerTextAsync();

        // The operator opens the link in their own browser, sets a password and signs in
        await using var operatorContext = await fixture.NewContextAsync();
        var op = await operatorContext.NewPageAsync();
        await op.GotoAsync(setPasswordUrl);
        await op.GetByLabel("New password").FillAsync("otto's own passphrase");
        await op.GetByLabel("Repeat the password").FillAsync("otto's own passphrase");
        await BrowserFixture.ScreenshotAsync(op, "06-set-password");
        await op.GetByRole(AriaRole.Button, new() { Name = "Save password" }).ClickAsync();
        await Expect(op.GetByText("Your password is set.")).ToBeVisibleAsync();
        await op.GetByLabel("E-mail address").FillAsync(operatorEmail);
        await op.GetByLabel("Password").FillAsync("otto's own passphrase");
        await op.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(op).ToHaveURLAsync(new Regex("/cases$"));
        await Nav(op, "Settings").ClickAsync();
        await Expect(op).ToHaveURLAsync(new Regex("/settings/profile$"));
        await Expect(op.GetByRole(AriaRole.Link, new() { Name = "Operators" })).ToHaveCountAsync(0);
        await Expect(op.GetByLabel("Name")).ToHaveValueAsync("Otto Operator");
        await BrowserFixture.ScreenshotAsync(op, "07-operator-profile");

        // API key: shown once, then only its prefix; revoked
        await page.GetByRole(AriaRole.Link, new() { Name = "API keys" }).ClickAsync();
        await Expect(page.GetByText("No API keys yet.")).ToBeVisibleAsync();
        await page.GetByLabel("Key name").FillAsync("Zapier");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var secret = page.Locator(".secret code");
        await Expect(secret).ToContainTextAsync(new Regex("^parley_[a-z2-7]{16}_"));
        await Expect(page.GetByText("shown only this once")).ToBeVisibleAsync();
        await Expect(page.Locator("tr[data-key='Zapier']")).ToContainTextAsync("never");
        await BrowserFixture.ScreenshotAsync(page, "08-api-key-created");
        var key = await secret.InnerTextAsync();
        await page.ReloadAsync();
        await Expect(page.Locator("tr[data-key='Zapier']")).ToBeVisibleAsync();
        Assert.DoesNotContain(key, await page.ContentAsync());
        await page.Locator("tr[data-key='Zapier']").GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        var confirm = page.GetByRole(AriaRole.Alertdialog);
        await Expect(confirm).ToContainTextAsync("Zapier");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Expect(page.GetByText("The key was revoked.")).ToBeVisibleAsync();
        await Expect(page.GetByText("No API keys yet.")).ToBeVisibleAsync();
        Assert.Equal(0, browserDialogs);

        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", key);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await http.GetAsync(fixture.BaseUrl + "/api/me")).StatusCode);
    }

    [Fact]
    public async Task Server_validation_appears_next_to_the_field_it_concerns()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var email = $"taken.{Guid.NewGuid():N}@example.com";
        await BrowserFixture.SignUpAsync(page, email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        // The sign-out request ends before the app navigates to /sign-in; leaving earlier can abort it and stay signed in.
        await Expect(page).ToHaveURLAsync(new Regex("/sign-in"));

        await page.GotoAsync("/sign-up");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(page.Locator("#" + await page.GetByLabel("Business name").GetAttributeAsync("id") + "-error")).ToHaveTextAsync("This field is required.");
        await page.GetByLabel("Business name").FillAsync("Zweite Kanzlei");
        await page.GetByLabel("Your name").FillAsync("Berta");
        await page.GetByLabel("Your e-mail address").FillAsync(email);
        await page.GetByLabel("Password").FillAsync("password123");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();

        await Expect(page.GetByLabel("Password")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByText("too easy to guess")).ToBeVisibleAsync();
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(page.GetByLabel("Your e-mail address")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByText("already registered")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Your e-mail address")).ToBeFocusedAsync();
        await BrowserFixture.ScreenshotAsync(page, "09-sign-up-errors");
    }

    [Fact]
    public async Task The_dashboard_speaks_german_from_the_browser_language_and_can_be_switched()
    {
        await using var context = await fixture.NewContextAsync("de-DE");
        var page = await context.NewPageAsync();

        await page.GotoAsync("/sign-in");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Bei Parley anmelden" })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("E-Mail-Adresse")).ToBeVisibleAsync();
        await page.GetByLabel("E-Mail-Adresse").FillAsync($"niemand.{Guid.NewGuid():N}@example.com");
        await page.GetByLabel("Passwort").FillAsync("falsches Passwort 123");
        await page.GetByRole(AriaRole.Button, new() { Name = "Anmelden" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Die E-Mail-Adresse oder das Passwort stimmt nicht.");
        await BrowserFixture.ScreenshotAsync(page, "10-sign-in-german");
        await page.GetByLabel("Sprache").SelectOptionAsync("en");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Parley" })).ToBeVisibleAsync();
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Parley" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Signed_out_visitors_are_sent_to_sign_in_and_markup_in_names_stays_text()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var alerts = 0;
        page.Dialog += async (_, d) => { alerts++; await d.DismissAsync(); };

        await page.GotoAsync("/settings/operators");
        await Expect(page).ToHaveURLAsync(new Regex("/sign-in$"));

        await BrowserFixture.SignUpAsync(page, $"xss.{Guid.NewGuid():N}@example.com", adminName: "<img src=x onerror=alert(1)>");
        await page.GotoAsync("/settings/operators");
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = "<img src=x onerror=alert(1)> (you)" })).ToBeVisibleAsync();
        Assert.Equal(0, alerts);
        Assert.Equal(0, await page.Locator("main img").CountAsync());
    }

    [Fact]
    public async Task The_layout_works_at_tablet_width_with_keyboard_focus_visible()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.SetViewportSizeAsync(768, 1024);
        await BrowserFixture.SignUpAsync(page, $"tablet.{Guid.NewGuid():N}@example.com");

        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Main navigation" })).ToBeVisibleAsync();
        var scrollWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        await page.Keyboard.PressAsync("Tab");
        await BrowserFixture.ScreenshotAsync(page, "11-tablet-settings");

        Assert.True(scrollWidth <= 768, $"page is {scrollWidth}px wide at a 768px viewport");
    }

    private static ILocator Nav(IPage page, string name) =>
        page.GetByRole(AriaRole.Navigation, new() { Name = "Main navigation" }).GetByRole(AriaRole.Link, new() { Name = name });

}
