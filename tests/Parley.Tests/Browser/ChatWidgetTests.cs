using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Parley.Tests.Chat;
using Parley.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Parley.Tests.Browser;

/// <summary>
/// The website live chat, visitor side (chat-embed.js on a website of another origin, the chat page in its panel)
/// against the real chat API: opening creates nothing, the first message creates the case, the operator's answer,
/// typing and read marks reach the visitor, a reload keeps the conversation, a second browser is a second visitor, the
/// pre-chat form's errors, the offline path, and no payload of the XSS corpus runs in the widget (docs/chat.md).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ChatWidgetTests(BrowserFixture fixture)
{
    private const int PresencePollMs = 1000;

    /// <summary>For steps behind a first message (the case, its routing and alerts) on a busy machine.</summary>
    private static readonly LocatorAssertionsToHaveCountOptions Slow = new() { Timeout = 15_000 };

    /// <summary>
    /// A business (its administrator signed in on a page of its own) with the chat on, its website (another origin)
    /// listed in embedOrigins, and that website's page with the snippet.
    /// </summary>
    private sealed class Business(IBrowserContext adminContext, IPage admin, string key, FakeHttpServer site) : IAsyncDisposable
    {
        public IPage Admin { get; } = admin;
        public string Key { get; } = key;
        public FakeHttpServer Site { get; } = site;

        public async Task<List<JsonElement>> CasesAsync() => [.. (await DashboardApi.GetAsync(Admin, "/api/cases")).GetProperty("items").EnumerateArray()];

        public async Task<JsonElement> SingleCaseAsync()
        {
            var cases = await Poll.ForAsync("the chat's case", CasesAsync, cases => cases.Count == 1, TimeSpan.FromSeconds(15));
            return cases[0];
        }

        public Task<JsonElement> AnswerAsync(string caseId, string text) =>
            DashboardApi.PostAsync(Admin, $"/api/cases/{caseId}/conversation", new { clientMessageId = Guid.NewGuid().ToString("N"), text });

        public async ValueTask DisposeAsync()
        {
            await Site.DisposeAsync();
            await adminContext.DisposeAsync();
        }
    }

    private async Task<Business> OpenAsync(object? preChat = null, bool online = true)
    {
        var adminContext = await fixture.NewContextAsync();
        var admin = await adminContext.NewPageAsync();
        await BrowserFixture.SignUpAsync(admin, business: "Kanzlei Chat", adminName: "Anna Admin");
        var key = (await DashboardApi.GetAsync(admin, "/api/me")).GetProperty("account").GetProperty("id").GetString()!;
        await DashboardApi.SendAsync(admin, "PUT", "/api/chat-settings", new { enabled = true, greeting = "Hello! How can we help?", color = "#112233", replyTime = "Usually within an hour" });
        if (preChat is not null)
        {
            await DashboardApi.SendAsync(admin, "PUT", "/api/chat-settings", new { preChat });
        }
        var site = await FakeHttpServer.StartAsync(async (context, _) =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            var lang = context.Request.Query["lang"].ToString() is "de" ? "de" : "en";
            // A signed-in customer: the website's server signs their id (here the test, through ?id=&sig=).
            var identity = context.Request.Query.ContainsKey("id")
                ? $" data-identifier=\"{WebUtility.HtmlEncode(context.Request.Query["id"])}\" data-signature=\"{WebUtility.HtmlEncode(context.Request.Query["sig"])}\""
                : "";
            await context.Response.WriteAsync($"""
                <!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>Kanzlei website</title></head><body>
                <h1>Tax advice</h1><p>Welcome to our website.</p>
                <script>window.__chatEvents = []; ["open", "close", "unread"].forEach(n => addEventListener("parley:chat-" + n, e => __chatEvents.push(n + (e.detail ? " " + e.detail.count : ""))));</script>
                <script src="{fixture.BaseUrl}/chat-embed.js" data-parley-chat="{key}" data-presence-poll-ms="{PresencePollMs}"{identity} async></script>
                </body></html>
                """);
        });
        await DashboardApi.SendAsync(admin, "PATCH", "/api/account", new { embedOrigins = new[] { site.BaseAddress.GetLeftPart(UriPartial.Authority) } });
        await DashboardApi.SendAsync(admin, "PUT", "/api/me/presence", new { mode = online ? "online" : "away" });
        return new Business(adminContext, admin, key, site);
    }

    private static ILocator Launcher(IPage page) => page.Locator("[data-parley-chat-launcher]");

    private static IFrameLocator Panel(IPage page) => page.FrameLocator("[data-parley-chat-frame]");

    [Fact]
    public async Task A_visitor_on_another_website_chats_with_the_operator_and_keeps_the_conversation_after_a_reload()
    {
        await using var business = await OpenAsync();
        var site = business.Site;
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var presencePolls = 0;
        page.Request += (_, request) =>
        {
            if (request.Url.EndsWith($"/api/chat/{business.Key}/presence", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref presencePolls);
            }
        };
        await page.GotoAsync($"{site.BaseAddress}shop?utm_source=newsletter&utm_campaign=spring");

        // The launcher: the operator is online; opening and closing freely creates no case.
        var launcher = Launcher(page);
        await Expect(launcher).ToHaveAttributeAsync("data-parley-status", "online");
        await Expect(launcher).ToHaveAccessibleNameAsync(new Regex("^Chat with us.*We're online$"));
        await Expect(launcher).ToHaveAttributeAsync("aria-expanded", "false");
        await launcher.ClickAsync();
        await Expect(launcher).ToHaveAttributeAsync("aria-expanded", "true");
        var panel = Panel(page);
        await Expect(panel.Locator("#chat-business")).ToHaveTextAsync("Kanzlei Chat");
        await Expect(panel.Locator("#chat-presence-text")).ToHaveTextAsync("We're online");
        await Expect(panel.Locator("#chat-greeting")).ToHaveTextAsync("Hello! How can we help?");
        await Expect(panel.Locator("#chat-offline")).ToBeHiddenAsync();
        await Expect(panel.Locator("#chat-input")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(launcher).ToHaveAttributeAsync("aria-expanded", "false");
        await Expect(launcher).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(launcher).ToHaveAttributeAsync("aria-expanded", "true");
        Assert.Empty(await business.CasesAsync());

        // The first message creates the case, with the page it came from.
        await panel.Locator("#chat-input").FillAsync("Hello, do you do tax returns?\nFor 2025.");
        await panel.Locator("#chat-input").PressAsync("Enter");
        await Expect(panel.Locator(".msg-visitor .msg-text")).ToHaveTextAsync("Hello, do you do tax returns?\nFor 2025.");
        await Expect(panel.Locator(".msg-visitor time")).ToHaveCountAsync(1, Slow);
        var listed = await business.SingleCaseAsync();
        Assert.Equal("websiteChat", listed.GetProperty("origin").GetString());
        var caseId = listed.GetProperty("id").GetString()!;
        var metadata = (await DashboardApi.GetAsync(business.Admin, $"/api/cases/{caseId}")).GetProperty("metadata");
        Assert.Equal($"{site.BaseAddress}shop?utm_source=newsletter&utm_campaign=spring", metadata.GetProperty("pageUrl").GetString());
        Assert.Equal("newsletter", metadata.GetProperty("utm_source").GetString());
        await Expect(panel.Locator("#chat-transcript-open")).ToBeVisibleAsync();

        // The operator answers and types; the visitor sees both, and the operator's read mark.
        await business.AnswerAsync(caseId, "Yes, we do. <b>Which year?</b>");
        var answer = panel.Locator(".msg-operator").Last;
        await Expect(answer.Locator(".msg-text")).ToHaveTextAsync("Yes, we do. <b>Which year?</b>");
        await Expect(answer.Locator(".msg-author")).ToHaveTextAsync("Anna Admin");
        await DashboardApi.PostAsync(business.Admin, $"/api/cases/{caseId}/conversation/typing", new { });
        await Expect(panel.Locator("#chat-typing")).ToHaveTextAsync("Anna Admin is typing…");
        await DashboardApi.PostAsync(business.Admin, $"/api/cases/{caseId}/conversation/read", new { });
        await Expect(panel.Locator(".msg-visitor #chat-seen")).ToHaveTextAsync("Seen");

        // A video invitation opens the meeting room inside the panel (framable there through ?embed=<key>), and back.
        await DashboardApi.PostAsync(business.Admin, $"/api/cases/{caseId}/chat/video", new { });
        await panel.GetByRole(AriaRole.Button, new() { Name = "Join video call" }).ClickAsync();
        var room = panel.Locator("#chat-video-frame");
        await Expect(room).ToHaveAttributeAsync("src", new Regex($"^{Regex.Escape(fixture.BaseUrl)}/meet\\?(.+&)?embed={business.Key}(#|$)"));
        await Expect(panel.FrameLocator("#chat-video-frame").Locator("#meet")).ToBeAttachedAsync();
        await Expect(panel.Locator("#chat-video-back")).ToBeFocusedAsync();
        await panel.Locator("#chat-video-back").ClickAsync();
        await Expect(room).ToHaveCountAsync(0);
        await Expect(panel.Locator("#chat-input")).ToBeFocusedAsync();

        // Closed panel: a new answer shows as unread on the launcher and as an event on the website.
        await panel.Locator("#chat-close").ClickAsync();
        await Expect(launcher).ToHaveAttributeAsync("aria-expanded", "false");
        await business.AnswerAsync(caseId, "Are you still there?");
        await Expect(page.Locator("[data-parley-chat-badge]")).ToHaveTextAsync("1");
        await Expect(launcher).ToHaveAccessibleNameAsync(new Regex("1 unread"));
        await page.WaitForFunctionAsync("() => window.__chatEvents.includes('unread 1')");

        // A reload keeps the conversation; the frame's long poll replaces the presence poll. This Chromium denies the
        // frame (a third party here) its localStorage, so the visitor comes back through the partitioned cookie.
        await page.ReloadAsync();
        var pollsBefore = Volatile.Read(ref presencePolls);
        await Expect(page.Locator("[data-parley-chat-badge]")).ToHaveTextAsync("1");
        await launcher.ClickAsync();
        await Expect(panel.Locator(".msg")).ToHaveCountAsync(4);
        await Expect(panel.Locator(".msg-text").Nth(3)).ToHaveTextAsync("Are you still there?");
        await Expect(page.Locator("[data-parley-chat-badge]")).ToBeHiddenAsync();
        await panel.Locator("#chat-input").FillAsync("Yes, still here.");
        await panel.Locator("#chat-send").ClickAsync();
        await Expect(panel.Locator(".msg-visitor time")).ToHaveCountAsync(2);
        await Poll.UntilAsync("the visitor's last message in the case", async () => (await DashboardApi.GetAsync(business.Admin, $"/api/cases/{caseId}/conversation")).GetArrayLength() == 5, TimeSpan.FromSeconds(10));
        Assert.Equal(pollsBefore, Volatile.Read(ref presencePolls));
        Assert.Single(await business.CasesAsync());
        var events = await page.EvaluateAsync<string[]>("() => window.__chatEvents");
        Assert.Contains("open", events);
        Assert.Contains("unread 0", events);
        await BrowserFixture.ScreenshotAsync(page, "chat-widget-conversation");

        // Another browser is another visitor, with a case of their own; on a German page the widget speaks German.
        await using var second = await fixture.NewContextAsync();
        var other = await second.NewPageAsync();
        await other.GotoAsync($"{site.BaseAddress}contact?lang=de");
        await Expect(Launcher(other)).ToHaveAccessibleNameAsync(new Regex("^Chatten Sie mit uns.*Wir sind online$"));
        await Launcher(other).ClickAsync();
        await Expect(Panel(other).Locator("#chat-presence-text")).ToHaveTextAsync("Wir sind online");
        await Expect(Panel(other).Locator(".msg")).ToHaveCountAsync(0);
        await Panel(other).GetByLabel("Ihre Nachricht").FillAsync("Hallo, ich bin jemand anderes.");
        await Panel(other).Locator("#chat-input").PressAsync("Enter");
        await Poll.UntilAsync("a second case", async () => (await business.CasesAsync()).Count == 2, TimeSpan.FromSeconds(15));
        Assert.All(await business.CasesAsync(), c => Assert.Equal("websiteChat", c.GetProperty("origin").GetString()));
    }

    [Fact]
    public async Task With_nobody_online_a_phone_visitor_is_told_so_and_the_pre_chat_form_asks_for_the_required_fields()
    {
        await using var business = await OpenAsync(new { name = "required", phone = "optional" }, online: false);
        var site = business.Site;
        await using var context = await fixture.NewContextAsync(configure: o => o.ViewportSize = new ViewportSize { Width = 360, Height = 740 });
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{site.BaseAddress}");
        var launcher = Launcher(page);
        await Expect(launcher).ToHaveAttributeAsync("data-parley-status", "away");
        var session = page.WaitForResponseAsync(r => r.Url.EndsWith($"/api/chat/{business.Key}/session", StringComparison.Ordinal));
        await launcher.ClickAsync();
        var token = (await (await session).JsonAsync())!.Value.GetProperty("token").GetString();

        // Full screen on a phone, with the panel's own close button.
        var box = await page.Locator("[data-parley-chat-panel]").BoundingBoxAsync();
        Assert.Equal((0f, 360f), (box!.X, box.Width));
        await Expect(launcher).ToBeHiddenAsync();
        var panel = Panel(page);
        await Expect(panel.Locator("#chat-presence-text")).ToHaveTextAsync("We're away");
        await Expect(panel.Locator("#chat-offline")).ToContainTextAsync("Nobody is online right now");
        await Expect(panel.Locator("#chat-offline")).ToContainTextAsync("Usually within an hour");
        var name = panel.GetByLabel("Your name", new() { Exact = true });
        var email = panel.GetByLabel("Your e-mail address", new() { Exact = true });
        var phone = panel.GetByLabel("Your phone number (optional)");
        await Expect(email).ToHaveAttributeAsync("required", "");

        // Presence is live before any conversation too (the launcher's poll, passed on to the open panel).
        await DashboardApi.SendAsync(business.Admin, "PUT", "/api/me/presence", new { mode = "online" });
        await Expect(panel.Locator("#chat-presence-text")).ToHaveTextAsync("We're online", new() { Timeout = 15_000 });
        await Expect(panel.Locator("#chat-offline")).ToBeHiddenAsync();
        await Expect(email).ToBeHiddenAsync();
        await DashboardApi.SendAsync(business.Admin, "PUT", "/api/me/presence", new { mode = "away" });
        await Expect(panel.Locator("#chat-presence-text")).ToHaveTextAsync("We're away", new() { Timeout = 15_000 });
        await Expect(email).ToHaveAttributeAsync("required", "");

        // Required fields first (checked here), then what the server says about the phone number, shown at its field.
        await panel.Locator("#chat-input").FillAsync("Can you call me back?");
        await panel.Locator("#chat-input").PressAsync("Enter");
        await Expect(name).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(name).ToHaveAccessibleDescriptionAsync("Please fill in this field.");
        await Expect(email).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(name).ToBeFocusedAsync();
        await name.FillAsync("Paula Visitor");
        await email.FillAsync("paula.visitor@example.com");
        await phone.FillAsync("not a phone number");
        await panel.Locator("#chat-send").ClickAsync();
        await Expect(phone).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(panel.Locator(".msg")).ToHaveCountAsync(0);
        await Expect(panel.Locator("#chat-input")).ToHaveValueAsync("Can you call me back?"); // the message waits in the composer
        Assert.Empty(await business.CasesAsync());

        await phone.FillAsync("");
        await panel.Locator("#chat-send").ClickAsync();
        await Expect(panel.Locator(".msg-visitor time")).ToHaveCountAsync(1, Slow);
        await Expect(panel.Locator("#chat-prechat")).ToBeHiddenAsync();
        var listed = await business.SingleCaseAsync();
        var created = await DashboardApi.GetAsync(business.Admin, $"/api/cases/{listed.GetProperty("id").GetString()}");
        Assert.Equal("Paula Visitor", created.GetProperty("name").GetString());
        Assert.Equal("paula.visitor@example.com", created.GetProperty("email").GetString());

        // A send that fails on the way says so; Retry sends it again with the same client id (so the server, which is
        // idempotent on it, would keep it once even if the first had reached it).
        var caseId = listed.GetProperty("id").GetString()!;
        var sentIds = new List<string>();
        await context.RouteAsync("**/api/chat/*/messages", async route =>
        {
            sentIds.Add(JsonDocument.Parse(route.Request.PostData!).RootElement.GetProperty("clientMessageId").GetString()!);
            if (sentIds.Count == 1)
            {
                await route.AbortAsync("internetdisconnected");
            }
            else
            {
                await route.ContinueAsync();
            }
        });
        await panel.Locator("#chat-input").FillAsync("Is anybody there?");
        await panel.Locator("#chat-input").PressAsync("Enter");
        var failed = panel.Locator(".msg-visitor").Last.Locator(".msg-status.failed");
        await Expect(failed).ToContainTextAsync("Not sent");
        await failed.GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();
        await Expect(panel.Locator(".msg-visitor time")).ToHaveCountAsync(2, Slow);
        await Expect(panel.Locator(".msg-visitor")).ToHaveCountAsync(2);
        Assert.Equal(2, sentIds.Count);
        Assert.Equal(sentIds[0], sentIds[1]);
        Assert.Equal(2, (await DashboardApi.GetAsync(business.Admin, $"/api/cases/{caseId}/conversation")).GetArrayLength());
        await context.UnrouteAllAsync();

        // The transcript by e-mail, to the address the case has.
        await panel.Locator("#chat-transcript-open").ClickAsync();
        await panel.GetByRole(AriaRole.Button, new() { Name = "Send transcript", Exact = true }).ClickAsync();
        await Expect(panel.Locator("#chat-transcript-done")).ToBeVisibleAsync();
        await BrowserFixture.ScreenshotAsync(page, "chat-widget-offline-360");

        // The panel's close button gives focus back to the launcher.
        await panel.Locator("#chat-close").ClickAsync();
        await Expect(launcher).ToBeVisibleAsync();
        await Expect(launcher).ToBeFocusedAsync();

        // The link of an answer e-mail (as ChatNotices issues it): the same conversation as a full page, no close button.
        var visitors = fixture.App.Services.GetRequiredService<Parley.Functions.Chat.ChatVisitors>();
        var link = visitors.IssueLink(visitors.Read(token, business.Key)!);
        await using var mail = await fixture.NewContextAsync();
        var full = await mail.NewPageAsync();
        await full.GotoAsync($"{fixture.BaseUrl}/chat#{link}");
        await Expect(full.Locator("#chat-business")).ToHaveTextAsync("Kanzlei Chat");
        await Expect(full.Locator(".msg-visitor .msg-text")).ToHaveTextAsync(["Can you call me back?", "Is anybody there?"]);
        await Expect(full.Locator("#chat-close")).ToHaveCountAsync(0);
        await full.Locator("#chat-input").FillAsync("Written from the e-mail's link.");
        await full.Locator("#chat-input").PressAsync("Enter");
        await Expect(full.Locator(".msg-visitor time")).ToHaveCountAsync(3, Slow);
        Assert.Equal(3, (await DashboardApi.GetAsync(business.Admin, $"/api/cases/{caseId}/conversation")).GetArrayLength());

        // A link from an answer e-mail that is not (or no longer) valid says so.
        await page.GotoAsync($"{fixture.BaseUrl}/chat#not-a-valid-link");
        await Expect(page.Locator("#chat-error")).ToHaveTextAsync("This link is invalid or has expired. Open the chat on the website again.");
    }

    [Fact]
    public async Task A_signed_in_customer_finds_their_conversation_on_another_device_and_after_identify()
    {
        await using var business = await OpenAsync();
        await DashboardApi.SendAsync(business.Admin, "PUT", "/api/chat-settings", new { identityVerification = "optional" });
        var secret = (await DashboardApi.GetAsync(business.Admin, "/api/chat-settings")).GetProperty("secret").GetString()!;
        const string customer = "customer-42";
        var signature = Parley.Functions.Chat.ChatVisitors.Sign(secret, customer);

        // The laptop: the website passes the identity on the script tag.
        await using (var laptop = await fixture.NewContextAsync())
        {
            var page = await laptop.NewPageAsync();
            await page.GotoAsync($"{business.Site.BaseAddress}account?id={customer}&sig={signature}");
            await Launcher(page).ClickAsync();
            await Panel(page).Locator("#chat-input").FillAsync("Hello from my laptop");
            await Panel(page).Locator("#chat-input").PressAsync("Enter");
            await Expect(Panel(page).Locator(".msg-visitor time")).ToHaveCountAsync(1, Slow);
        }
        await business.SingleCaseAsync();

        // The phone (another browser, nothing stored): the same conversation.
        await using (var phone = await fixture.NewContextAsync())
        {
            var page = await phone.NewPageAsync();
            await page.GotoAsync($"{business.Site.BaseAddress}account?id={customer}&sig={signature}");
            await Launcher(page).ClickAsync();
            await Expect(Panel(page).Locator(".msg-visitor .msg-text")).ToHaveTextAsync("Hello from my laptop");
        }

        // A page that signs the customer in later calls ParleyChat.identify: the chat switches to their conversation.
        await using var tablet = await fixture.NewContextAsync();
        var later = await tablet.NewPageAsync();
        await later.GotoAsync($"{business.Site.BaseAddress}");
        await Launcher(later).ClickAsync();
        await Expect(Panel(later).Locator("#chat-input")).ToBeFocusedAsync();
        await Expect(Panel(later).Locator(".msg")).ToHaveCountAsync(0);
        await later.EvaluateAsync("([identifier, signature]) => ParleyChat.identify({ identifier, signature })", new[] { customer, signature });
        await Expect(Panel(later).Locator(".msg-visitor .msg-text")).ToHaveTextAsync("Hello from my laptop");
        Assert.Single(await business.CasesAsync());
    }

    [Fact]
    public async Task No_payload_of_the_xss_corpus_runs_in_the_widget_as_operator_or_visitor_message()
    {
        await using var business = await OpenAsync();
        var site = business.Site;
        await using var context = await fixture.NewContextAsync();
        // In every frame (the website and the chat page): a payload that runs calls __xss(n).
        await context.AddInitScriptAsync("window.__xssCalls = []; window.__xss = (n) => window.__xssCalls.push(n);");
        var page = await context.NewPageAsync();
        var dialogs = 0;
        page.Dialog += async (_, dialog) =>
        {
            Interlocked.Increment(ref dialogs);
            await dialog.DismissAsync();
        };
        await page.GotoAsync($"{site.BaseAddress}");
        await Launcher(page).ClickAsync();
        var panel = Panel(page);

        // The visitor's messages: the corpus in as few messages as the 2,000-character limit allows (the per-address
        // message limit is 120 per 10 minutes), each written into the composer.
        var batches = new List<string>();
        foreach (var payload in XssCorpus.Payloads)
        {
            if (batches.Count > 0 && batches[^1].Length + 1 + payload.Length <= 2000)
            {
                batches[^1] += "\n" + payload;
            }
            else
            {
                batches.Add(payload);
            }
        }
        foreach (var batch in batches)
        {
            await panel.Locator("#chat-input").FillAsync(batch);
            await panel.Locator("#chat-input").PressAsync("Enter");
        }
        await Expect(panel.Locator(".msg-status")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await Expect(panel.Locator(".msg-visitor time")).ToHaveCountAsync(batches.Count);
        var caseId = (await business.SingleCaseAsync()).GetProperty("id").GetString()!;

        // The operator's: four payloads a message (53 answers), four answers at a time.
        var answers = XssCorpus.Payloads.Chunk(4).Select(chunk => string.Join("\n", chunk)).ToList();
        using (var gate = new SemaphoreSlim(4))
        {
            await Task.WhenAll(answers.Select(async text =>
            {
                await gate.WaitAsync();
                try
                {
                    await business.AnswerAsync(caseId, text);
                }
                finally
                {
                    gate.Release();
                }
            }));
        }
        await Expect(panel.Locator(".msg-operator")).ToHaveCountAsync(answers.Count, new() { Timeout = 30_000 });

        // Shown as the text they are, and nothing ran.
        var frame = page.Frames.Single(f => f.Url.Contains("/chat?key=", StringComparison.Ordinal));
        var operatorTexts = await frame.EvaluateAsync<string[]>("() => [...document.querySelectorAll('.msg-operator .msg-text')].map(e => e.textContent)");
        Assert.Equal(answers.Order(StringComparer.Ordinal), operatorTexts.Order(StringComparer.Ordinal));
        var visitorTexts = await frame.EvaluateAsync<string[]>("() => [...document.querySelectorAll('.msg-visitor .msg-text')].map(e => e.textContent)");
        Assert.Equal(batches, visitorTexts);
        Assert.Equal(0, await frame.EvaluateAsync<int>("() => document.querySelectorAll('.chat-log script, .chat-log img, .chat-log svg, .chat-log iframe, .chat-log a').length"));
        Assert.Empty(await frame.EvaluateAsync<int[]>("() => window.__xssCalls"));
        Assert.Empty(await page.EvaluateAsync<int[]>("() => window.__xssCalls"));
        Assert.Equal(0, dialogs);
    }
}
