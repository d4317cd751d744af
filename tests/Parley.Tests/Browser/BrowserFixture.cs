using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Parley.Testing;
using Parley.Tests.Infrastructure;

namespace Parley.Tests.Browser;

/// <summary>
/// One real Parley on Kestrel and one headless Debian Chromium for all browser tests. The front end is built
/// (esbuild) if it is missing, so `dotnet test` alone works too. Screenshots go to artifacts/screenshots/.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public static readonly string Screenshots = RepositoryPaths.Combine("artifacts", "screenshots");

    private IPlaywright? _playwright;

    public ParleyApp App { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public string BaseUrl => App.BaseUrl!.ToString().TrimEnd('/');

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"Browser tests need Chromium at {ChromiumPath}; 'npm test' installs it (apt-get install -y chromium).");
        }
        EnsureFrontEndBuilt();
        Directory.CreateDirectory(Screenshots);
        // Invitations flow through their real queue, dialog alerts and calls through the durable engine, to the outbox, as
        // in a local run. Its own storage account: its pump must not take the work of tests that drive other providers.
        var azurite = await Azurite.SharedAsync();
        App = await ParleyApp.StartOnKestrelAsync(new()
        {
            ["AzureWebJobsStorage"] = azurite.IsolatedConnectionString(),
            ["QueuePump:Enabled"] = "true",
            ["QueuePump:Queues"] = "notifications",
            ["Durable:Enabled"] = "true",
            // Every browser test signs up its own business from the same loopback address; the per-address limit
            // (10 an hour) has its own tests (Security/) and must not decide which browser test runs last.
            ["RateLimits:SignUp:Limit"] = "1000",
        });
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Meetings: a fake camera and microphone granted without a prompt, peer connections over loopback (the only
            // network here), and media that plays without a click.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", "--allow-loopback-in-peer-connection", "--autoplay-policy=no-user-gesture-required"],
        });
    }

    /// <summary>A fresh browser profile (own cookies and storage), with failures traced and kept.</summary>
    public async Task<IBrowserContext> NewContextAsync(string locale = "en-US", Action<BrowserNewContextOptions>? configure = null)
    {
        var options = new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            Locale = locale,
            ViewportSize = new ViewportSize { Width = 1280, Height = 860 },
        };
        configure?.Invoke(options);
        var context = await Browser.NewContextAsync(options);
        context.SetDefaultTimeout(15_000);
        return context;
    }

    /// <summary>Signs up a business through the sign-up page; the page is then signed in as its administrator.</summary>
    public static async Task<string> SignUpAsync(IPage page, string? email = null, string business = "Kanzlei", string adminName = "Anna Admin")
    {
        email ??= $"browser.{Guid.NewGuid():N}@example.com";
        await page.GotoAsync("/sign-up");
        await page.GetByLabel("Business name").FillAsync(business);
        await page.GetByLabel("Time zone").FillAsync("Europe/Berlin");
        await page.GetByLabel("Your name").FillAsync(adminName);
        await page.GetByLabel("Your e-mail address").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(Infrastructure.Accounts.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/settings/account$"));
        return email;
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }
    }

    private static readonly object BuildLock = new();

    private static void EnsureFrontEndBuilt()
    {
        lock (BuildLock)
        {
            var index = RepositoryPaths.Combine("static-web", "dist", "index.html");
            var sources = Directory.GetFiles(RepositoryPaths.Combine("static-web"), "*", SearchOption.AllDirectories)
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}dist{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
            if (File.Exists(index) && sources.All(f => File.GetLastWriteTimeUtc(f) <= File.GetLastWriteTimeUtc(index)))
            {
                return;
            }
            using var build = Process.Start(new ProcessStartInfo("node", [RepositoryPaths.Combine("scripts", "build-web.mjs")]) { WorkingDirectory = RepositoryPaths.Root })!;
            build.WaitForExit();
            if (build.ExitCode != 0)
            {
                throw new InvalidOperationException("Building the front end failed: run 'node scripts/build-web.mjs' to see why.");
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
