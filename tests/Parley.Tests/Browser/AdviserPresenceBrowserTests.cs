using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;
using Parley.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Parley.Tests.Browser;

/// <summary>
/// The adviser's status on a business's website (another origin): the dialog button shows Away, the adviser switches
/// to Online in the dashboard, the button follows within its poll period, and an idle button costs one request per
/// period and key (two buttons of one adviser share it). The frame tells the visitor too, and still takes a message.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AdviserPresenceBrowserTests(BrowserFixture fixture)
{
    private const int PollMs = 1000;

    [Fact]
    public async Task The_dialog_button_shows_the_advisers_status_live_at_one_request_per_period()
    {
        await using var adviserContext = await fixture.NewContextAsync();
        var adviser = await adviserContext.NewPageAsync();
        await BrowserFixture.SignUpAsync(adviser, business: "Kanzlei Beispiel", adminName: "Anna Adviser");
        var me = await DashboardApi.GetAsync(adviser, "/api/me");
        var widgetKey = $"{me.GetProperty("account").GetProperty("id").GetString()}-{me.GetProperty("operator").GetProperty("id").GetString()}";
        var status = adviser.GetByLabel("Your status");
        await Expect(status).ToHaveValueAsync("away");
        await Expect(adviser.Locator("[data-presence-status]")).ToHaveTextAsync("Away");

        await using var host = await FakeHttpServer.StartAsync(async (context, _) =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync($"""
                <!doctype html><html lang="en"><head><title>Kanzlei Beispiel</title></head><body><h1>Our advisers</h1>
                <button type="button" id="top" data-parley-dialog="{widgetKey}" data-presence-poll-ms="{PollMs}">Request a talk</button>
                <div id="bottom" data-parley-dialog="{widgetKey}" data-presence-poll-ms="{PollMs}">Write to Anna</div>
                <script src="{fixture.BaseUrl}/widget.js"></script></body></html>
                """);
        });

        await using var visitorContext = await fixture.NewContextAsync();
        var visitor = await visitorContext.NewPageAsync();
        var polls = new List<long>();
        visitor.Request += (_, request) =>
        {
            if (request.Frame == visitor.MainFrame && request.Url.EndsWith($"/api/widget/{widgetKey}/presence", StringComparison.Ordinal))
            {
                lock (polls)
                {
                    polls.Add(Stopwatch.GetTimestamp());
                }
            }
        };
        await visitor.GotoAsync(host.BaseAddress.ToString());
        var top = visitor.Locator("#top");
        var bottom = visitor.Locator("#bottom");
        await Expect(top).ToHaveAttributeAsync("data-parley-status", "away");
        await Expect(bottom).ToHaveAttributeAsync("data-parley-status", "away");
        await Expect(top).ToHaveAccessibleNameAsync("Request a talk"); // the button keeps its own text
        await Expect(top).ToHaveAccessibleDescriptionAsync("Adviser away");

        // The adviser goes online in the dashboard; the button follows within the poll period (plus the server's 5 s cache).
        await status.SelectOptionAsync("online");
        await Expect(adviser.Locator("[data-presence-status]")).ToHaveTextAsync("Online");
        await Expect(top).ToHaveAttributeAsync("data-parley-status", "online", new() { Timeout = 15_000 });
        await Expect(bottom).ToHaveAttributeAsync("data-parley-status", "online");
        await Expect(top).ToHaveAccessibleDescriptionAsync("Adviser online");

        // Idle cost: one request per period for the adviser's key, however many buttons show it.
        int start;
        lock (polls)
        {
            start = polls.Count;
        }
        await Poll.UntilAsync("four more presence polls", () => { lock (polls) { return Task.FromResult(polls.Count >= start + 4); } }, TimeSpan.FromSeconds(30));
        long[] times;
        lock (polls)
        {
            times = polls.Skip(start - 1).Take(5).ToArray();
        }
        var gaps = times.Zip(times.Skip(1), (a, b) => Stopwatch.GetElapsedTime(a, b).TotalMilliseconds).ToList();
        Assert.All(gaps, gap => Assert.True(gap >= PollMs * 0.9, $"polls {string.Join(", ", gaps.Select(g => $"{g:0} ms"))} apart; at most one per {PollMs} ms"));

        // The frame tells the visitor, and the form is there whatever the status.
        await top.ClickAsync();
        var frame = visitor.FrameLocator("iframe");
        await Expect(frame.Locator(".adviser-presence")).ToHaveTextAsync("The adviser is online now");
        await status.SelectOptionAsync("away");
        await Expect(adviser.Locator("[data-presence-status]")).ToHaveTextAsync("Away");
        await Expect(top).ToHaveAttributeAsync("data-parley-status", "away", new() { Timeout = 15_000 });
        await Expect(frame.GetByLabel("Secret word", new() { Exact = true })).ToBeEditableAsync();
    }

    [Fact]
    public async Task The_frame_speaks_the_visitors_language_about_an_away_adviser()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/widget/nobody-{Guid.NewGuid():N}?lang=fr");
        await Expect(page.Locator(".adviser-presence")).ToHaveTextAsync(new Regex("^Le conseiller est absent"));
    }
}
