using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Parley.Tests.Browser;

/// <summary>Settings → Custom fields: an administrator defines, renames, reorders and removes fields without the API.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CustomFieldsPageTests(BrowserFixture fixture)
{
    [Theory]
    [InlineData("en")]
    [InlineData("de")]
    public async Task An_administrator_defines_renames_reorders_and_removes_custom_fields_in_settings(string language)
    {
        string T(string en, string de) => language == "de" ? de : en;
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await BrowserFixture.SignUpAsync(page);
        await page.GetByLabel("Language", new() { Exact = true }).SelectOptionAsync(language);
        await page.GetByRole(AriaRole.Link, new() { Name = T("Custom fields", "Eigene Felder") }).ClickAsync();
        await Expect(page.GetByText(T("No custom fields yet.", "Noch keine eigenen Felder."))).ToBeVisibleAsync();

        var add = page.Locator("form").Filter(new() { Has = page.GetByRole(AriaRole.Button, new() { Name = T("Add custom field", "Eigenes Feld hinzufügen") }) });
        var label = add.GetByLabel(T("Label", "Bezeichnung"));
        await label.FillAsync(T("Subscription tier", "Abo-Stufe"));
        await Expect(add.GetByLabel(T("Key", "Schlüssel"))).ToHaveValueAsync(T("subscription-tier", "abo-stufe"));
        await Expect(add.GetByLabel(T("Choices", "Auswahlmöglichkeiten"))).ToBeHiddenAsync();
        await add.GetByLabel(T("Type", "Typ")).SelectOptionAsync("choice");
        await add.GetByRole(AriaRole.Button, new() { Name = T("Add custom field", "Eigenes Feld hinzufügen") }).ClickAsync();
        await Expect(add.GetByText(T("Enter at least one choice.", "Geben Sie mindestens eine Auswahlmöglichkeit ein."))).ToBeVisibleAsync();
        await add.GetByLabel(T("Choices", "Auswahlmöglichkeiten")).FillAsync("Basic, Pro");
        await add.GetByLabel(T("Required for new cases", "Pflichtfeld bei neuen Fällen")).CheckAsync();
        await add.GetByRole(AriaRole.Button, new() { Name = T("Add custom field", "Eigenes Feld hinzufügen") }).ClickAsync();
        await Expect(page.Locator("tr[data-field]")).ToHaveCountAsync(1);

        await label.FillAsync(T("Customer since", "Kunde seit"));
        await add.GetByLabel(T("Type", "Typ")).SelectOptionAsync("date");
        await add.GetByRole(AriaRole.Button, new() { Name = T("Add custom field", "Eigenes Feld hinzufügen") }).ClickAsync();
        var tier = T("subscription-tier", "abo-stufe");
        var since = T("customer-since", "kunde-seit");
        await Expect(page.Locator("tr[data-field]")).ToHaveCountAsync(2);

        // A key that exists already is refused next to the field, in the page's language.
        await label.FillAsync("Again");
        await add.GetByLabel(T("Key", "Schlüssel")).FillAsync(since);
        await add.GetByRole(AriaRole.Button, new() { Name = T("Add custom field", "Eigenes Feld hinzufügen") }).ClickAsync();
        await Expect(add.GetByText(T("A custom field with this key exists already.", "Ein benutzerdefiniertes Feld mit diesem Schlüssel gibt es bereits."))).ToBeVisibleAsync();

        // Reorder with the keyboard-friendly arrows: the moved row keeps the focus.
        var moveUp = page.GetByRole(AriaRole.Button, new() { Name = T("Move “Customer since” up", "„Kunde seit“ nach oben") });
        await moveUp.ClickAsync();
        await Expect(page.Locator("tr[data-field]").First).ToHaveAttributeAsync("data-field", since);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = T("Move “Customer since” down", "„Kunde seit“ nach unten") })).ToBeFocusedAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync(T("is now in position 1", "steht jetzt an Position 1"));

        // Rename: the key stays.
        await page.Locator($"tr[data-field='{tier}']").GetByRole(AriaRole.Button, new() { Name = T("Edit", "Bearbeiten") }).ClickAsync();
        var edit = page.GetByRole(AriaRole.Dialog);
        await edit.GetByLabel(T("Label", "Bezeichnung")).FillAsync(T("Tier", "Stufe"));
        await edit.GetByLabel(T("Choices", "Auswahlmöglichkeiten")).FillAsync("Basic, Pro, Premium");
        await BrowserFixture.ScreenshotAsync(page, $"custom-fields-edit-{language}");
        await edit.GetByRole(AriaRole.Button, new() { Name = T("Save", "Speichern") }).ClickAsync();
        await Expect(edit).ToHaveCountAsync(0);
        await Expect(page.Locator($"tr[data-field='{tier}']")).ToContainTextAsync(T("Tier", "Stufe"));
        await Expect(page.Locator($"tr[data-field='{tier}']")).ToContainTextAsync("Basic, Pro, Premium");
        await BrowserFixture.ScreenshotAsync(page, $"custom-fields-{language}");
        Assert.True(await page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 1280, "the page fits the 1280px window");

        // The order and the new label are stored.
        await page.ReloadAsync();
        await Expect(page.Locator("tr[data-field]").First).ToHaveAttributeAsync("data-field", since);
        await Expect(page.Locator($"tr[data-field='{tier}'] td strong")).ToHaveTextAsync(T("Tier", "Stufe"));

        // Removing asks first and says what happens to values already entered.
        await page.Locator($"tr[data-field='{since}']").GetByRole(AriaRole.Button, new() { Name = T("Remove", "Entfernen") }).ClickAsync();
        var confirm = page.GetByRole(AriaRole.Alertdialog);
        await Expect(confirm).ToContainTextAsync(T("Values already entered are not deleted", "Bereits eingegebene Werte werden nicht gelöscht"));
        await BrowserFixture.ScreenshotAsync(page, $"custom-fields-remove-{language}");
        await confirm.GetByRole(AriaRole.Button, new() { Name = T("Remove", "Entfernen") }).ClickAsync();
        await Expect(page.Locator("tr[data-field]")).ToHaveCountAsync(1);
        await Expect(page.Locator($"tr[data-field='{since}']")).ToHaveCountAsync(0);
    }
}
