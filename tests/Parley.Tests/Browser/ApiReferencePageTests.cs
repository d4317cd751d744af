using System.Collections.Concurrent;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Parley.Tests.Browser;

/// <summary>
/// The API reference page (Scalar, served by Parley at /api/reference/) renders the public API from /api/openapi.json
/// under its Content-Security-Policy, loads nothing from any other host, and is linked from Settings → API keys.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ApiReferencePageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task The_reference_linked_from_the_api_keys_settings_renders_the_api_from_our_origin_without_policy_violations()
    {
        await using var context = await fixture.NewContextAsync();
        var origin = new Uri(fixture.BaseUrl);
        var foreign = new ConcurrentQueue<string>();
        var errors = new ConcurrentQueue<string>();
        context.Request += (_, request) =>
        {
            var url = new Uri(request.Url);
            if (url.Scheme is "http" or "https" or "ws" or "wss" && url.Authority != origin.Authority)
            {
                foreign.Enqueue(request.Url);
            }
        };
        var page = await context.NewPageAsync(); // the dashboard's own console is other tests' business
        context.Page += (_, opened) => Watch(opened, errors);
        await BrowserFixture.SignUpAsync(page);
        await page.GotoAsync("/settings/api-keys");

        var link = page.GetByRole(AriaRole.Link, new() { Name = "API reference" });
        await Expect(link).ToHaveAttributeAsync("target", "_blank");
        // Deadlines, not waits: the reference's script bundle is large and the suite's load on 2 cores can make it slow to parse.
        var reference = await context.RunAndWaitForPageAsync(() => link.ClickAsync(), new() { Timeout = 60_000 });

        await Expect(reference).ToHaveTitleAsync("Parley API reference", new() { Timeout = 60_000 });
        await Expect(reference.GetByText("Create a case").First).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(reference.GetByText("Parley API").First).ToBeVisibleAsync();
        await reference.WaitForLoadStateAsync(LoadState.NetworkIdle, new() { Timeout = 60_000 });
        await BrowserFixture.ScreenshotAsync(reference, "api-reference");

        Assert.True(foreign.IsEmpty, string.Join("\n", foreign));
        Assert.True(errors.IsEmpty, string.Join("\n", errors));
    }

    /// <summary>Policy violations (reported as console errors and as events), script errors and failed loads.</summary>
    private static void Watch(IPage page, ConcurrentQueue<string> errors)
    {
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Enqueue($"{page.Url}: console: {message.Text}");
            }
        };
        page.PageError += (_, error) => errors.Enqueue($"{page.Url}: page error: {error}");
        page.RequestFailed += (_, request) => errors.Enqueue($"{page.Url}: failed: {request.Url} {request.Failure}");
    }
}
