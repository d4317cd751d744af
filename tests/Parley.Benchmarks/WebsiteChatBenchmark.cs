using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Functions.Identity;
using Parley.Testing;

namespace Parley.Benchmarks;

/// <summary>
/// The website chat through the real app on Kestrel (Azurite): in each of several chats a visitor long-polls
/// <c>/api/chat/{key}/events</c> (as the widget does) and an operator long-polls the case's conversation events (as the
/// case page does); each side sends a message a second; latency = from the send request leaving the sender to the
/// message reaching the other side's poll. Then what one idle open widget costs: the requests its long poll makes over
/// a minute with the default wait, as requests per 20 s. Next to it, GET /api/health in the same run (the no-op).
/// </summary>
internal static class WebsiteChatBenchmark
{
    private const string VisitorHeader = "X-Chat-Visitor";

    public static async Task RunAsync(Azurite azurite, int chats, int messagesPerSide, TimeSpan idleFor)
    {
        var limits = new[] { "ChatSessions", "ChatMessages", "ChatConversations", "ChatAccountConversations", "ChatAccountMessages" }
            .ToDictionary(p => $"RateLimits:{p}:Limit", _ => (string?)"1000000");
        await using var factory = new ApiBenchmark.Factory(azurite, limits);
        factory.UseKestrel(0);
        factory.StartServer();
        var address = ApiBenchmark.Address(factory);
        using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false, MaxConnectionsPerServer = 1000 }) { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };

        var health = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            (await http.GetAsync("/api/health")).Dispose();
            health.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }

        // One business with the chat on; each visitor writes a first message (the case), the operator finds the cases by name.
        using var signUp = await Send(http, HttpMethod.Post, "/api/accounts", null, null, new { businessName = "Chat bench", timeZone = "Europe/Berlin", adminName = "Olga Operator", email = $"webchat.{Guid.NewGuid():N}@example.com", password = "correct horse battery staple" });
        var cookie = signUp.Headers.GetValues("Set-Cookie").First(c => c.StartsWith(OperatorSessions.CookieName + "=", StringComparison.Ordinal)).Split(';')[0];
        var me = await Json(await Send(http, HttpMethod.Get, "/api/me", cookie, null, null));
        var key = me.GetProperty("account").GetProperty("id").GetString()!;
        (await Send(http, HttpMethod.Put, "/api/chat-settings", cookie, null, new { enabled = true, preChat = new { name = "optional" } })).Dispose();
        var visitors = new List<string>();
        for (var i = 0; i < chats; i++)
        {
            var token = (await Json(await Send(http, HttpMethod.Post, $"/api/chat/{key}/session", null, null, new { }))).GetProperty("token").GetString()!;
            (await Send(http, HttpMethod.Post, $"/api/chat/{key}/messages", null, token, new { clientMessageId = "hello", text = "Hello", name = $"Visitor {i:D3}" })).Dispose();
            visitors.Add(token);
        }
        var cases = (await Json(await Send(http, HttpMethod.Get, "/api/cases?limit=200", cookie, null, null))).GetProperty("items").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("id").GetString()!);
        var caseIds = Enumerable.Range(0, chats).Select(i => cases[$"Visitor {i:D3}"]).ToList();

        var sent = new ConcurrentDictionary<string, long>();
        var latencies = new ConcurrentBag<double>();
        using var stop = new CancellationTokenSource();
        var pollers = Enumerable.Range(0, chats).SelectMany(i => new[]
        {
            PollAsync($"/api/chat/{key}/events", null, visitors[i], "visitor"),
            PollAsync($"/api/cases/{caseIds[i]}/conversation/events", cookie, null, "operator"),
        }).ToList();

        async Task PollAsync(string path, string? withCookie, string? visitor, string me)
        {
            long after = 1, state = 0;
            while (!stop.IsCancellationRequested)
            {
                HttpResponseMessage response;
                try
                {
                    response = await Send(http, HttpMethod.Get, $"{path}?after={after}&state={state}", withCookie, visitor, null, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                var body = await Json(response);
                var now = Stopwatch.GetTimestamp();
                foreach (var m in body.GetProperty("messages").EnumerateArray())
                {
                    if (m.GetProperty("text").GetString() is { } text && !text.StartsWith(me, StringComparison.Ordinal) && sent.TryRemove(text, out var at))
                    {
                        latencies.Add(Stopwatch.GetElapsedTime(at, now).TotalMilliseconds);
                    }
                }
                after = body.GetProperty("next").GetInt64();
                state = body.GetProperty("state").GetInt64();
            }
        }

        await Task.Delay(500);
        var senders = Enumerable.Range(0, chats).SelectMany(i => new[] { SendMessagesAsync(i, "visitor"), SendMessagesAsync(i, "operator") });
        async Task SendMessagesAsync(int chat, string me)
        {
            for (var n = 0; n < messagesPerSide; n++)
            {
                var text = $"{me} {chat} {n}";
                sent[text] = Stopwatch.GetTimestamp();
                var (path, withCookie, visitor) = me == "visitor"
                    ? ($"/api/chat/{key}/messages", (string?)null, visitors[chat])
                    : ($"/api/cases/{caseIds[chat]}/conversation", cookie, (string?)null);
                (await Send(http, HttpMethod.Post, path, withCookie, visitor, new { clientMessageId = $"{me}-{n}", text })).Dispose();
                await Task.Delay(1000);
            }
        }
        await Task.WhenAll(senders);
        var expected = chats * messagesPerSide * 2;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (latencies.Count < expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        stop.Cancel();
        await Task.WhenAll(pollers);

        // One idle open widget with a conversation: after its first read, its long poll with nothing happening, for a while;
        // the cost is the mean time between two of its requests.
        var idleVisitor = visitors[0];
        var first = await Json(await Send(http, HttpMethod.Get, $"/api/chat/{key}/events?after=0", null, idleVisitor, null));
        var starts = new List<long>();
        using (var idleStop = new CancellationTokenSource(idleFor))
        {
            long after = first.GetProperty("next").GetInt64(), state = first.GetProperty("state").GetInt64();
            while (!idleStop.IsCancellationRequested)
            {
                starts.Add(Stopwatch.GetTimestamp());
                try
                {
                    var body = await Json(await Send(http, HttpMethod.Get, $"/api/chat/{key}/events?after={after}&state={state}", null, idleVisitor, null, idleStop.Token));
                    after = body.GetProperty("next").GetInt64();
                    state = body.GetProperty("state").GetInt64();
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        var meanGap = starts.Count > 1 ? Stopwatch.GetElapsedTime(starts[0], starts[^1]).TotalSeconds / (starts.Count - 1) : double.NaN;
        var perTwenty = 20 / meanGap;

        var sorted = latencies.Order().ToArray();
        var h = health.Order().ToArray();
        double P(double[] s, double p) => s.Length == 0 ? double.NaN : s[Math.Min(s.Length - 1, (int)(p * s.Length))];
        Console.WriteLine($"{"measurement",-52} {"count",7} {"p50 ms",8} {"p95 ms",8} {"max ms",8}");
        Console.WriteLine($"{"GET /api/health (no-op baseline)",-52} {h.Length,7} {P(h, 0.5),8:N1} {P(h, 0.95),8:N1} {h[^1],8:N1}");
        Console.WriteLine($"{$"website chat, {chats} chats, visitor <-> operator",-52} {sorted.Length,7} {P(sorted, 0.5),8:N1} {P(sorted, 0.95),8:N1} {(sorted.Length > 0 ? sorted[^1] : double.NaN),8:N1}");
        Console.WriteLine($"delivered {sorted.Length} of {expected}; p95 {P(sorted, 0.95):N0} ms   target ≤ 1500 ms   {(sorted.Length == expected && P(sorted, 0.95) <= 1500 ? "met" : "NOT met")}");
        Console.WriteLine($"idle open widget: a request every {meanGap:N1} s ({starts.Count} started in {idleFor.TotalSeconds:N0} s) = {perTwenty:N2} per 20 s   target ≤ 1   {(perTwenty <= 1 ? "met" : "NOT met")}");
    }

    private static async Task<HttpResponseMessage> Send(HttpClient http, HttpMethod method, string path, string? cookie, string? visitor, object? body, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("X-Parley-Client", "benchmark");
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }
        if (visitor is not null)
        {
            request.Headers.Add(VisitorHeader, visitor);
        }
        var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        return response;
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        using (response)
        {
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        }
    }
}
