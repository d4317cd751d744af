using System.Net;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Chat.ChatKit;

namespace Parley.Tests.Chat;

/// <summary>The chat's limits per client address and per account (Table Storage limiter), with small limits.</summary>
public sealed class ChatLimitTests : IAsyncLifetime
{
    private ParleyApp App { get; set; } = null!;

    public async Task InitializeAsync() => App = await StartAsync(new()
    {
        ["RateLimits:ChatConversations:Limit"] = "2",
        ["RateLimits:ChatMessages:Limit"] = "6",
        ["RateLimits:ChatAccountConversations:Limit"] = "3",
    });

    public async Task DisposeAsync() => await App.DisposeAsync();

    [Fact]
    public async Task New_conversations_and_messages_are_limited_per_address_and_per_account()
    {
        var business = await OpenAsync(App);

        // One network: two new conversations, then 429 (a known visitor may still write).
        using var first = await VisitAsync(App, business.Key);
        await first.SayAsync("one");
        using var second = new Visitor(first.Session, business.Key, (await VisitAsync(App, business.Key)).Token);
        await second.SayAsync("two");
        var third = new Visitor(first.Session, business.Key, (await VisitAsync(App, business.Key)).Token);
        var refused = await third.SendAsync(new { clientMessageId = "c", text = "three" });
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.Contains("Retry-After"));
        await first.SayAsync("again"); // message 4 of this address (the refused one counted as 3)

        // Messages per address: 6 in the window.
        await first.SayAsync("five");
        await first.SayAsync("six");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await first.SendAsync(new { clientMessageId = "x", text = "seven" })).StatusCode);

        // Per account: the third conversation from another network is the last.
        using var elsewhere = await VisitAsync(App, business.Key);
        await elsewhere.SayAsync("from elsewhere");
        using var yetAnother = await VisitAsync(App, business.Key);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await yetAnother.SendAsync(new { clientMessageId = "y", text = "one too many" })).StatusCode);
        Assert.Equal(3, (await CasesAsync(business.Admin)).Count);
    }
}
