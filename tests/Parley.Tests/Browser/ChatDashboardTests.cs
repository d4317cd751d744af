using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Parley.Tests.Chat;
using Parley.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Parley.Tests.Browser;

/// <summary>
/// The operators' side of the website chat (docs/chat.md, "Dashboard"): Settings › Website chat, the case page's chat
/// panel, chat cases in the list, the navigation's chat badge; and everything a visitor writes shown as text only.
/// The visitor is the public API (<see cref="ChatKit"/>); the operator is the real dashboard in Chromium.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ChatDashboardTests(BrowserFixture fixture)
{
    private static async Task<string> AccountIdAsync(IPage page) =>
        (await DashboardApi.GetAsync(page, "/api/me")).GetProperty("account").GetProperty("id").GetString()!;

    /// <summary>A visitor of the chat through the public API of the Kestrel app the browser uses (own client address, no cookie header of the dashboard).</summary>
    private async Task<ChatKit.Visitor> VisitAsync(string key)
    {
        var session = new ApiSession(new HttpClient { BaseAddress = new Uri(fixture.BaseUrl) }, dashboardHeader: false);
        var opened = await ApiSession.ReadAsync(await session.PostAsync($"/api/chat/{key}/session", new { }), HttpStatusCode.OK);
        return new ChatKit.Visitor(session, key, opened.GetProperty("token").GetString()!);
    }

    private static async Task VisitorPostAsync(ChatKit.Visitor visitor, string what, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/chat/{visitor.Key}/{what}") { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Chat-Visitor", visitor.Token);
        using var response = await visitor.Session.Client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"POST {what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The visitor's events until one satisfies <paramref name="done"/> (each call is a long poll that answers on changes).</summary>
    private static async Task<JsonElement> VisitorEventsUntilAsync(ChatKit.Visitor visitor, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var events = await visitor.EventsAsync(0);
            if (done(events))
            {
                return events;
            }
            Assert.True(DateTime.UtcNow < deadline, $"The visitor's events never showed it: {events}");
        }
    }

    [Fact]
    public async Task An_administrator_sets_up_the_website_chat_sees_a_field_error_at_its_control_copies_the_snippet_and_makes_a_new_secret()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var browserDialogs = 0;
        page.Dialog += async (_, d) => { browserDialogs++; await d.DismissAsync(); };
        await BrowserFixture.SignUpAsync(page);
        var accountId = await AccountIdAsync(page);
        await DashboardApi.PostAsync(page, "/api/custom-fields", new { key = "topic", label = "Topic", type = "text" });

        await page.GotoAsync("/settings/account");
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Settings" }).GetByRole(AriaRole.Link, new() { Name = "Website chat" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/settings/chat$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Website chat", Level = 2 })).ToBeVisibleAsync();

        var on = page.GetByRole(AriaRole.Switch, new() { Name = "Chat on my website is on" });
        await Expect(on).Not.ToBeCheckedAsync();
        await on.CheckAsync();
        var greeting = page.GetByLabel("Greeting", new() { Exact = true });
        await greeting.FillAsync(new string('a', 301));
        await page.GetByLabel("Usual reply time").FillAsync("Usually within an hour");
        await page.GetByLabel("Colour").FillAsync("#aa3300");
        await page.GetByLabel("Name", new() { Exact = true }).SelectOptionAsync("required");
        await page.GetByLabel("E-mail address").SelectOptionAsync("optional");
        await page.GetByLabel("Topic").SelectOptionAsync("required");
        await page.GetByLabel("Identity verification").SelectOptionAsync("optional");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        // The server refuses the greeting: its message stands at the greeting, which is marked invalid and focused.
        await Expect(greeting).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(greeting).ToBeFocusedAsync();
        await Expect(page.Locator(".field", new() { Has = greeting }).Locator(".field-error")).ToContainTextAsync("300");
        Assert.False((await DashboardApi.GetAsync(page, "/api/chat-settings")).GetProperty("enabled").GetBoolean());

        await greeting.FillAsync("Hello! How can we help?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByText("Saved. The chat is on.")).ToBeVisibleAsync();
        await Expect(greeting).Not.ToHaveAttributeAsync("aria-invalid", "true");

        var saved = await DashboardApi.GetAsync(page, "/api/chat-settings");
        Assert.True(saved.GetProperty("enabled").GetBoolean());
        Assert.Equal("Hello! How can we help?", saved.GetProperty("greeting").GetString());
        Assert.Equal("#aa3300", saved.GetProperty("color").GetString());
        Assert.Equal("Usually within an hour", saved.GetProperty("replyTime").GetString());
        Assert.Equal("optional", saved.GetProperty("identityVerification").GetString());
        var preChat = saved.GetProperty("preChat");
        Assert.Equal("required", preChat.GetProperty("name").GetString());
        Assert.Equal("optional", preChat.GetProperty("email").GetString());
        Assert.Equal("required", preChat.GetProperty("topic").GetString());
        Assert.False(preChat.TryGetProperty("phone", out var phone) && phone.GetString() != "off");

        // The snippet for the website, with its copy button, and where the websites are allowed.
        var snippet = page.Locator("[data-chat-snippet]");
        await Expect(snippet.Locator("code")).ToHaveTextAsync($"<script src=\"{fixture.BaseUrl}/chat-embed.js\" data-parley-chat=\"{accountId}\" async></script>");
        await Expect(snippet.GetByRole(AriaRole.Button, new() { Name = "Copy snippet" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Edit the allowed websites" })).ToHaveAttributeAsync("href", "/settings/account");

        // The secret is shown; a new one only after a confirmation, and the old one is gone.
        var secret = page.GetByLabel("Secret", new() { Exact = true });
        var before = saved.GetProperty("secret").GetString()!;
        await Expect(secret).ToHaveTextAsync(before);
        await page.GetByRole(AriaRole.Button, new() { Name = "New secret" }).ClickAsync();
        var confirm = page.GetByRole(AriaRole.Alertdialog);
        await Expect(confirm).ToBeVisibleAsync();
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(secret).ToHaveTextAsync(before);
        await page.GetByRole(AriaRole.Button, new() { Name = "New secret" }).ClickAsync();
        await page.GetByRole(AriaRole.Alertdialog).GetByRole(AriaRole.Button, new() { Name = "New secret" }).ClickAsync();
        await Expect(page.GetByText("A new secret was made.")).ToBeVisibleAsync();
        var after = (await DashboardApi.GetAsync(page, "/api/chat-settings")).GetProperty("secret").GetString()!;
        Assert.NotEqual(before, after);
        await Expect(secret).ToHaveTextAsync(after);
        await BrowserFixture.ScreenshotAsync(page, "chat-settings-en");

        // What is stored is what the page shows again.
        await page.ReloadAsync();
        await Expect(page.GetByLabel("Topic")).ToHaveValueAsync("required");
        await Expect(page.GetByLabel("Colour")).ToHaveValueAsync("#aa3300");
        await Expect(on).ToBeCheckedAsync();
        Assert.Equal(0, browserDialogs);
    }

    [Fact]
    public async Task A_visitor_writes_the_operator_sees_badge_and_case_live_answers_sees_typing_and_seen_and_invites_to_a_video_call()
    {
        await using var context = await fixture.NewContextAsync();
        // The chime is an oscillator: counted here.
        await context.AddInitScriptAsync("window.__tones = 0; const tone = AudioContext.prototype.createOscillator; AudioContext.prototype.createOscillator = function () { window.__tones++; return tone.call(this); };");
        var page = await context.NewPageAsync();
        await BrowserFixture.SignUpAsync(page);
        var key = await AccountIdAsync(page);
        await DashboardApi.SendAsync(page, "PUT", "/api/chat-settings", new { enabled = true, greeting = "Hello!", preChat = new { name = "optional" } });
        await page.GotoAsync("/cases");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Cases", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-chat-badge][data-inbox=loaded]")).ToHaveCountAsync(1);
        await page.Locator("main").ClickAsync(new() { Position = new() { X = 5, Y = 5 } }); // a gesture: browsers start audio only after one

        using var visitor = await VisitAsync(key);
        await ApiSession.ReadAsync(await visitor.SendAsync(new
        {
            clientMessageId = "m-1", text = "Hello, do you do tax returns?", name = "Vera Visitor", pageUrl = "https://www.kanzlei.example/tax?x=1",
            referrer = "https://search.example/", timeZone = "Europe/Berlin", utm = new { source = "newsletter", campaign = "spring" },
        }), HttpStatusCode.Created);

        // Without a reload: the badge in the navigation and the case in the list, awaiting a reply with one unread message.
        var badge = page.GetByRole(AriaRole.Button, new() { Name = "Unread chats: 1" });
        await Expect(badge).ToBeVisibleAsync();
        await Expect(badge).ToHaveTextAsync("1");
        var item = page.Locator("a.case-item[data-case='Vera Visitor']");
        await Expect(item.Locator("[data-awaiting]")).ToHaveTextAsync("Awaiting reply");
        await Expect(item.Locator(".unread-count [aria-hidden=true]")).ToHaveTextAsync("1");
        await Expect(item.Locator(".unread-count .visually-hidden")).ToHaveTextAsync("1 unread messages");
        await Expect(item).ToContainTextAsync("Website chat");
        // A tone and a polite announcement; the sound can be muted, remembered in this browser.
        await page.WaitForFunctionAsync("() => window.__tones >= 1");
        await Expect(page.Locator("[data-chat-announce]")).ToHaveTextAsync("New chat message from Vera Visitor");
        var sound = page.GetByRole(AriaRole.Button, new() { Name = "Sound for chat messages" });
        await Expect(sound).ToHaveAttributeAsync("aria-pressed", "true");
        await sound.ClickAsync();
        await Expect(sound).ToHaveAttributeAsync("aria-pressed", "false");
        Assert.Equal("off", await page.EvaluateAsync<string>("() => localStorage.getItem('parley.chatSound')"));

        // The badge's list links to the case.
        await badge.ClickAsync();
        var popover = page.Locator("#chat-popover");
        await Expect(popover).ToBeVisibleAsync();
        await popover.GetByRole(AriaRole.Link, new() { Name = "Vera Visitor" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/cases/[a-z2-7]+$"));
        var caseId = page.Url.Split('/')[^1];

        var panel = page.Locator("[data-chat-panel]");
        await Expect(panel.Locator(".msg[data-author=customer] .msg-text")).ToHaveTextAsync("Hello, do you do tax returns?");
        var meta = panel.Locator("[data-chat-meta]");
        await Expect(meta).ToContainTextAsync("https://www.kanzlei.example/tax?x=1");
        await Expect(meta).ToContainTextAsync("https://search.example/");
        await Expect(meta).ToContainTextAsync("Europe/Berlin");
        await Expect(meta).ToContainTextAsync("newsletter");
        await Expect(meta.Locator("a")).ToHaveCountAsync(0); // plain text
        // Shown while the page is visible: read, so the badge and the list's unread count go.
        await Expect(page.Locator("[data-chat-badge]")).ToBeHiddenAsync();
        await Expect(page.Locator($"a.case-item[href='/cases/{caseId}'] .unread-count")).ToHaveCountAsync(0);

        // The visitor's widget polls (online) and types: the operator sees it.
        await visitor.EventsAsync(0);
        await VisitorPostAsync(visitor, "typing", new { });
        await Expect(panel.Locator("[data-visitor-typing]")).ToHaveTextAsync("The visitor is typing…");
        await Expect(panel.Locator("[data-visitor-online='true']")).ToBeVisibleAsync();

        // An answer being written survives the page being drawn again (here: a reload); the header shows no meeting-room
        // status next to the panel's "visitor online".
        await page.GetByLabel("Your answer").FillAsync("Half an answer");
        await page.ReloadAsync();
        await Expect(page.GetByLabel("Your answer")).ToHaveValueAsync("Half an answer");
        await Expect(page.Locator(".topbar [data-presence-case]")).ToHaveCountAsync(0);

        // The first try of the answer fails on the network: the text stays and the retry uses the same client message id.
        var sent = new List<string>();
        await page.RouteAsync($"**/api/cases/{caseId}/conversation", async route =>
        {
            if (route.Request.Method != "POST")
            {
                await route.ContinueAsync();
                return;
            }
            sent.Add(JsonDocument.Parse(route.Request.PostData!).RootElement.GetProperty("clientMessageId").GetString()!);
            if (sent.Count == 1)
            {
                await route.AbortAsync();
            }
            else
            {
                await route.ContinueAsync();
            }
        });
        var reply = page.GetByLabel("Your answer");
        await reply.FillAsync("Yes, we do. When would suit you?");
        await reply.PressAsync("Enter");
        await Expect(panel.Locator(".msg[data-author=operator] .msg-text")).ToHaveTextAsync("Yes, we do. When would suit you?");
        await Expect(reply).ToHaveValueAsync("");
        Assert.Equal(2, sent.Count);
        Assert.Equal(sent[0], sent[1]);
        await page.UnrouteAllAsync(new() { Behavior = UnrouteBehavior.IgnoreErrors });
        Assert.Single((await DashboardApi.GetAsync(page, $"/api/cases/{caseId}/conversation")).EnumerateArray(), m => m.GetProperty("author").GetString() == "operator");

        // The visitor's events carry the answer; the case no longer awaits a reply.
        var answered = await VisitorEventsUntilAsync(visitor, e => e.GetProperty("messages").EnumerateArray().Any(m => m.GetProperty("author").GetString() == "operator"));
        var answer = answered.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("author").GetString() == "operator");
        Assert.Equal("Yes, we do. When would suit you?", answer.GetProperty("text").GetString());
        await Expect(page.Locator($"a.case-item[href='/cases/{caseId}'] [data-awaiting]")).ToHaveCountAsync(0);

        // The visitor reads it: "Seen" under the answer.
        await VisitorPostAsync(visitor, "read", new { seq = answer.GetProperty("seq").GetInt64() });
        await Expect(panel.Locator(".msg[data-author=operator] [data-seen]")).ToHaveTextAsync("✓ Seen");
        await BrowserFixture.ScreenshotAsync(page, "chat-case-en");

        // Invite to a video call: an appointment now, the operator in its meeting room, the visitor's events with the link.
        // Leaving the case page ends its long poll: no poll of the case starts afterwards, though the visitor types again.
        var left = false;
        var pollsAfterLeaving = 0;
        page.Request += (_, request) =>
        {
            if (Volatile.Read(ref left) && request.Url.Contains($"/api/cases/{caseId}/conversation/events", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref pollsAfterLeaving);
            }
        };
        await panel.GetByRole(AriaRole.Button, new() { Name = "Invite to video call" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/meeting/[a-z2-7]+$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        Volatile.Write(ref left, true);
        var appointmentId = page.Url.Split('/')[^1];
        var appointments = await DashboardApi.GetAsync(page, $"/api/cases/{caseId}/appointments");
        Assert.Contains(appointments.EnumerateArray(), a => a.GetProperty("id").GetString() == appointmentId);
        var invited = await VisitorEventsUntilAsync(visitor, e => e.GetProperty("messages").EnumerateArray()
            .Any(m => m.TryGetProperty("meetingUrl", out var url) && url.ValueKind == JsonValueKind.String));
        Assert.Contains(invited.GetProperty("messages").EnumerateArray(), m => m.TryGetProperty("meetingUrl", out var url) && url.ValueKind == JsonValueKind.String && url.GetString()!.StartsWith("http", StringComparison.Ordinal));
        await VisitorPostAsync(visitor, "typing", new { });
        await VisitorEventsUntilAsync(visitor, _ => true);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        Assert.Equal(0, Volatile.Read(ref pollsAfterLeaving));
    }

    /// <summary>
    /// Every payload of the XSS corpus through every field a visitor writes (a field that refuses a payload — an e-mail
    /// address that is none, a line break in a one-line field — is skipped, the server refusing it is fine), then the case
    /// list, the badge's list and the case pages: nothing runs (window.__xss never called, no dialog) and the text shows as
    /// text. Batched: payloads share messages and fields, one conversation per vector for the names.
    /// </summary>
    [Fact]
    public async Task Everything_a_visitor_writes_shows_as_text_in_the_dashboard_and_no_payload_runs()
    {
        await using var context = await fixture.NewContextAsync();
        // A payload that runs calls __xss(n) (or parent.__xss(n) from a frame): counted here, across page loads.
        var ran = new List<string>();
        await context.ExposeFunctionAsync("__xssReport", (string n) => { lock (ran) { ran.Add(n); } });
        await context.AddInitScriptAsync("window.__xssCalls = []; window.__xss = function (n) { window.__xssCalls.push(String(n)); window.__xssReport(String(n)); };");
        var page = await context.NewPageAsync();
        var dialogs = 0;
        page.Dialog += async (_, d) => { dialogs++; await d.DismissAsync(); };
        await BrowserFixture.SignUpAsync(page);
        var key = await AccountIdAsync(page);
        await DashboardApi.PostAsync(page, "/api/custom-fields", new { key = "note", label = "Note", type = "text" });
        await DashboardApi.SendAsync(page, "PUT", "/api/chat-settings", new
        {
            enabled = true, preChat = new Dictionary<string, string> { ["name"] = "optional", ["email"] = "optional", ["phone"] = "optional", ["note"] = "optional" },
        });

        var payloads = XssCorpus.Payloads;
        const int vectors = 53; // the corpus's vectors, each in four wrappers (payload n, n + 53, …)
        Assert.Equal(vectors * 4, payloads.Count);
        var oneLine = payloads.Where(p => !p.Contains('\n', StringComparison.Ordinal)).ToList();
        // Several payloads per field value, as long as the field allows.
        static List<string> Pack(IEnumerable<string> items, int max, string separator)
        {
            var chunks = new List<string>();
            var current = "";
            foreach (var item in items)
            {
                if (current.Length > 0 && current.Length + separator.Length + item.Length > max)
                {
                    chunks.Add(current);
                    current = "";
                }
                current = current.Length == 0 ? item : current + separator + item;
            }
            if (current.Length > 0)
            {
                chunks.Add(current);
            }
            return chunks;
        }
        var texts = Pack(payloads, 1900, "\n");
        var pageUrls = Pack(oneLine, 1900, " ").Select(q => "https://www.example.com/page?q=" + q).ToList();
        var referrers = Pack(oneLine, 1900, " ").Select(q => "https://search.example/?q=" + q).ToList();
        var utms = Pack(oneLine, 200, " ");
        var notes = Pack(oneLine, 500, " ");
        var rich = new[] { texts.Count, pageUrls.Count, (utms.Count + 4) / 5, notes.Count }.Max();

        var accepted = new Dictionary<string, List<string>>(); // field → values the server kept
        void Keep(string field, string value) => (accepted.TryGetValue(field, out var list) ? list : accepted[field] = []).Add(value);
        for (var i = 0; i < vectors; i++)
        {
            using var visitor = await VisitAsync(key);
            var fields = new Dictionary<string, object?>
            {
                ["clientMessageId"] = $"x-{i}",
                ["text"] = i < texts.Count ? texts[i] : payloads[i],
                ["name"] = payloads[i],
                ["email"] = payloads[i],
                ["phone"] = payloads[i],
            };
            if (i < rich)
            {
                if (i < pageUrls.Count) fields["pageUrl"] = pageUrls[i];
                if (i < referrers.Count) fields["referrer"] = referrers[i];
                if (i < notes.Count) fields["customFields"] = new Dictionary<string, string> { ["note"] = notes[i] };
                var utm = new Dictionary<string, string>();
                foreach (var (name, n) in new[] { ("source", 0), ("medium", 1), ("campaign", 2), ("term", 3), ("content", 4) })
                {
                    if (i * 5 + n < utms.Count) utm[name] = utms[i * 5 + n];
                }
                fields["utm"] = utm;
            }
            // Fields the server refuses are left out, then the message is sent again.
            HttpResponseMessage response;
            for (var attempt = 0; ; attempt++)
            {
                response = await visitor.SendAsync(fields);
                if (response.StatusCode != HttpStatusCode.BadRequest || attempt == 3)
                {
                    break;
                }
                var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                var refused = problem.GetProperty("errors").EnumerateObject().Select(e => e.Name.Split('.')[0]).ToList();
                Assert.DoesNotContain("text", refused);
                foreach (var field in refused)
                {
                    fields.Remove(field);
                }
                response.Dispose();
            }
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            response.Dispose();
            foreach (var field in new[] { "name", "email", "phone", "pageUrl", "referrer" })
            {
                if (fields.TryGetValue(field, out var value)) Keep(field, (string)value!);
            }
            if (fields.TryGetValue("customFields", out var custom)) Keep("note", ((Dictionary<string, string>)custom!)["note"]);
            if (fields.TryGetValue("utm", out var utmValue)) foreach (var v in ((Dictionary<string, string>)utmValue!).Values) Keep("utm", v);
            Keep("text", (string)fields["text"]!);
        }
        // Every vector went through the message text, and most through the one-line fields.
        Assert.All(payloads, p => Assert.Contains(accepted["text"], t => t.Contains(p, StringComparison.Ordinal)));
        Assert.True(accepted["name"].Count >= 30, $"names kept: {accepted["name"].Count}");
        Assert.All(oneLine, p => Assert.Contains(accepted["pageUrl"], u => u.Contains(p, StringComparison.Ordinal)));
        Assert.All(oneLine, p => Assert.Contains(accepted["utm"], u => u.Contains(p, StringComparison.Ordinal)));
        Assert.All(oneLine, p => Assert.Contains(accepted["note"], u => u.Contains(p, StringComparison.Ordinal)));

        // The case list (all pages) shows every name as text; the badge counts the chats and lists them as text.
        await page.GotoAsync("/cases");
        var more = page.GetByRole(AriaRole.Button, new() { Name = "Show more" });
        await Expect(page.Locator("a.case-item").First).ToBeVisibleAsync();
        for (var shown = 25; shown < vectors; shown += 25)
        {
            await Expect(page.Locator("a.case-item")).ToHaveCountAsync(shown);
            await more.ClickAsync();
        }
        await Expect(page.Locator("a.case-item")).ToHaveCountAsync(vectors);
        var shownNames = await page.EvalOnSelectorAllAsync<string[]>("a.case-item strong", "els => els.map(e => e.textContent)");
        Assert.All(accepted["name"], name => Assert.Contains(name, shownNames));
        var badge = page.GetByRole(AriaRole.Button, new() { Name = $"Unread chats: {vectors}" });
        await badge.ClickAsync();
        await Expect(page.Locator("#chat-popover a")).ToHaveCountAsync(Math.Min(50, vectors));
        var listed = await page.EvalOnSelectorAllAsync<string[]>("#chat-popover a", "els => els.map(e => e.textContent)");
        Assert.All(listed, name => Assert.Contains(name, shownNames));
        Assert.Contains(listed, name => accepted["name"].Contains(name));
        await badge.ClickAsync();

        // The case pages of the conversations that carry the batches: messages and where the chat started, as text.
        var cases = (await DashboardApi.GetAsync(page, "/api/cases?limit=100")).GetProperty("items").EnumerateArray().ToList();
        var opened = 0;
        foreach (var c in cases)
        {
            var id = c.GetProperty("id").GetString()!;
            var detail = await DashboardApi.GetAsync(page, $"/api/cases/{id}");
            var hasMeta = detail.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object && metadata.EnumerateObject().Any();
            var hasNote = detail.GetProperty("customFields").TryGetProperty("note", out var note);
            if (!hasMeta && !hasNote)
            {
                continue;
            }
            opened++;
            await page.GotoAsync($"/cases/{id}");
            var panel = page.Locator("[data-chat-panel]");
            var first = panel.Locator(".msg[data-author=customer] .msg-text").First;
            await Expect(first).ToBeVisibleAsync();
            var text = await first.TextContentAsync();
            Assert.Contains(accepted["text"], t => t == text);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = c.GetProperty("name").GetString()!, Level = 1 })).ToBeVisibleAsync();
            if (hasMeta)
            {
                var metaText = await panel.Locator("[data-chat-meta]").InnerTextAsync();
                foreach (var entry in metadata.EnumerateObject())
                {
                    Assert.Contains(entry.Value.GetString()!, metaText, StringComparison.Ordinal);
                }
            }
            if (hasNote)
            {
                await Expect(page.GetByLabel("Note", new() { Exact = true })).ToHaveValueAsync(note.GetString()!);
            }
        }
        Assert.Equal(rich, opened);

        Assert.Empty(await page.EvaluateAsync<string[]>("() => window.__xssCalls"));
        lock (ran)
        {
            Assert.Empty(ran);
        }
        Assert.Equal(0, dialogs);
    }
}
