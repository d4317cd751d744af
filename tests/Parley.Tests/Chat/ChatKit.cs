using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Chat;

/// <summary>An account with the website chat on, and a visitor's requests against it (the public API: no dashboard header, no cookie).</summary>
internal static class ChatKit
{
    public sealed record Business(ApiSession Admin, string Key, string Secret);

    public static Task<ParleyApp> StartAsync(Dictionary<string, string?>? settings = null)
    {
        settings ??= [];
        settings.TryAdd("Chat:PollWait", "00:00:20");
        return ParleyApp.StartAsync(settings);
    }

    /// <summary>A new account whose administrator switches the chat on with <paramref name="chatSettings"/> (merged over enabled = true).</summary>
    public static async Task<Business> OpenAsync(ParleyApp app, object? chatSettings = null, string business = "Kanzlei Chat")
    {
        var (admin, me) = await SignUpAsync(app, business: business);
        var key = me.GetProperty("account").GetProperty("id").GetString()!;
        await ApiSession.ReadAsync(await admin.PutAsync("/api/chat-settings", new { enabled = true, greeting = "Hello! How can we help?", color = "#112233", replyTime = "Usually within an hour" }), HttpStatusCode.OK);
        var view = await ApiSession.ReadAsync(await admin.PutAsync("/api/chat-settings", chatSettings ?? new { }), HttpStatusCode.OK);
        return new Business(admin, key, view.GetProperty("secret").GetString()!);
    }

    public sealed class Visitor(ApiSession session, string key, string token) : IDisposable
    {
        public string Key { get; } = key;
        public string Token { get; } = token;
        public ApiSession Session { get; } = session;

        public async Task<HttpResponseMessage> SendAsync(object body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/chat/{Key}/messages") { Content = JsonContent.Create(body) };
            request.Headers.Add("X-Chat-Visitor", Token);
            return await Session.Client.SendAsync(request);
        }

        public async Task<JsonElement> SayAsync(string text, string? clientMessageId = null, HttpStatusCode expected = HttpStatusCode.Created) =>
            await ApiSession.ReadAsync(await SendAsync(new { clientMessageId = clientMessageId ?? Guid.NewGuid().ToString("N"), text }), expected);

        public async Task<JsonElement> EventsAsync(long after)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/chat/{Key}/events?after={after}");
            request.Headers.Add("X-Chat-Visitor", Token);
            return await ApiSession.ReadAsync(await Session.Client.SendAsync(request), HttpStatusCode.OK);
        }

        public void Dispose() => Session.Dispose();
    }

    public static async Task<HttpResponseMessage> StartSessionAsync(ParleyApp app, string key, object? body = null)
    {
        using var anonymous = app.NewSession(dashboardHeader: false);
        return await anonymous.PostAsync($"/api/chat/{key}/session", body ?? new { });
    }

    public static async Task<Visitor> VisitAsync(ParleyApp app, string key, object? body = null)
    {
        var session = app.NewSession(dashboardHeader: false);
        var opened = await ApiSession.ReadAsync(await session.PostAsync($"/api/chat/{key}/session", body ?? new { }), HttpStatusCode.OK);
        return new Visitor(session, key, opened.GetProperty("token").GetString()!);
    }

    public static async Task<List<JsonElement>> CasesAsync(ApiSession admin) =>
        [.. (await admin.GetJsonAsync("/api/cases")).GetProperty("items").EnumerateArray()];

    public static async Task<List<JsonElement>> ConversationAsync(ApiSession admin, string caseId) =>
        [.. (await admin.GetJsonAsync($"/api/cases/{caseId}/conversation")).EnumerateArray()];
}
