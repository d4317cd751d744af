using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Functions.Identity;
using Parley.Testing;

namespace Parley.Benchmarks;

/// <summary>
/// Meeting chat delivery through the real room API on Kestrel: in each of several rooms an operator and a customer
/// long-poll for events (as the pages do) and send each other messages; latency = from the send request leaving the
/// sender to the event reaching the other side's poll. Next to it, GET /api/health in the same run (the no-op).
/// </summary>
internal static class ChatLatencyBenchmark
{
    private const string SessionHeader = "X-Meeting-Session";

    public static async Task RunAsync(Azurite azurite, int rooms, int messagesPerSide)
    {
        await using var factory = new ApiBenchmark.Factory(azurite, new() { ["RateLimits:MeetJoin:Limit"] = "100000", ["RateLimits:MeetOpen:Limit"] = "100000" });
        factory.UseKestrel(0);
        factory.StartServer();
        var address = ApiBenchmark.Address(factory);
        using var plain = new HttpClient(new SocketsHttpHandler { UseCookies = false, MaxConnectionsPerServer = 1000 }) { BaseAddress = new Uri(address) };

        var health = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            (await plain.GetAsync("/api/health")).Dispose();
            health.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }

        var pairs = new List<(string Operator, string Customer)>();
        for (var r = 0; r < rooms; r++)
        {
            pairs.Add(await RoomAsync(plain, r));
        }

        var sent = new ConcurrentDictionary<string, long>();
        var latencies = new ConcurrentBag<double>();
        using var stop = new CancellationTokenSource();
        var expected = rooms * messagesPerSide * 2;
        var pollers = pairs.SelectMany(p => new[] { PollAsync(plain, p.Operator, "operator"), PollAsync(plain, p.Customer, "customer") }).ToList();

        async Task PollAsync(HttpClient http, string session, string me)
        {
            long cursor = 0;
            while (!stop.IsCancellationRequested)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/meet/events?after={cursor}");
                request.Headers.Add(SessionHeader, session);
                HttpResponseMessage response;
                try
                {
                    response = await http.SendAsync(request, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                using (response)
                {
                    var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                    var now = Stopwatch.GetTimestamp();
                    foreach (var e in body.GetProperty("events").EnumerateArray())
                    {
                        if (e.GetProperty("type").GetString() == "chat" && e.GetProperty("data").GetProperty("text").GetString() is { } text
                            && !text.StartsWith(me, StringComparison.Ordinal) && sent.TryRemove(text, out var at))
                        {
                            latencies.Add(Stopwatch.GetElapsedTime(at, now).TotalMilliseconds);
                        }
                    }
                    cursor = body.GetProperty("cursor").GetInt64();
                }
            }
        }

        // Each side of each room sends a message every second (a brisk chat; 20 rooms = 40 messages a second).
        await Task.Delay(500);
        var senders = pairs.SelectMany((p, r) => new[] { SendAsync(plain, p.Operator, "operator", r), SendAsync(plain, p.Customer, "customer", r) });
        async Task SendAsync(HttpClient http, string session, string me, int room)
        {
            for (var i = 0; i < messagesPerSide; i++)
            {
                var text = $"{me} {room} {i}";
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/meet/chat") { Content = JsonContent.Create(new { clientId = $"m{i}", text }) };
                request.Headers.Add(SessionHeader, session);
                sent[text] = Stopwatch.GetTimestamp();
                (await http.SendAsync(request)).EnsureSuccessStatusCode();
                await Task.Delay(1000);
            }
        }
        await Task.WhenAll(senders);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (latencies.Count < expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        stop.Cancel();
        await Task.WhenAll(pollers);

        var sorted = latencies.Order().ToArray();
        var h = health.Order().ToArray();
        double P(double[] s, double p) => s.Length == 0 ? double.NaN : s[Math.Min(s.Length - 1, (int)(p * s.Length))];
        Console.WriteLine($"{"measurement",-46} {"count",7} {"p50 ms",8} {"p95 ms",8} {"max ms",8}");
        Console.WriteLine($"{"GET /api/health (no-op baseline)",-46} {h.Length,7} {P(h, 0.5),8:N1} {P(h, 0.95),8:N1} {h[^1],8:N1}");
        Console.WriteLine($"{$"chat delivery, {rooms} rooms x 2 long-polling sides",-46} {sorted.Length,7} {P(sorted, 0.5),8:N1} {P(sorted, 0.95),8:N1} {(sorted.Length > 0 ? sorted[^1] : double.NaN),8:N1}");
        Console.WriteLine($"delivered {sorted.Length} of {expected}; chat p95 {P(sorted, 0.95):N0} ms   target ≤ 1500 ms   {(sorted.Length == expected && P(sorted, 0.95) <= 1500 ? "met" : "NOT met")}");
    }

    /// <summary>A new business, a case, an appointment in 5 minutes; the customer joins and is admitted. Returns both meeting sessions.</summary>
    private static async Task<(string Operator, string Customer)> RoomAsync(HttpClient http, int n)
    {
        using var signUp = await Send(http, HttpMethod.Post, "/api/accounts", null, new { businessName = $"Chat {n}", timeZone = "Europe/Berlin", adminName = "Olga Operator", email = $"chat{n}.{Guid.NewGuid():N}@example.com", password = "correct horse battery staple" });
        var cookie = signUp.Headers.GetValues("Set-Cookie").First(c => c.StartsWith(OperatorSessions.CookieName + "=", StringComparison.Ordinal)).Split(';')[0];
        var c = await Json(await Send(http, HttpMethod.Post, "/api/cases", cookie, new { name = $"Kunde {n}" }));
        var start = DateTime.UtcNow.AddMinutes(5);
        var a = await Json(await Send(http, HttpMethod.Post, $"/api/cases/{c.GetProperty("id").GetString()}/appointments", cookie, new
        {
            start = start.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture),
            end = start.AddMinutes(30).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture),
            timeZone = "UTC",
            pinProtected = false,
            invitation = new { sms = false, email = false, language = "en" },
        }));
        var token = a.GetProperty("joinUrl").GetString()!.Split('#')[1];
        var joined = await Json(await Send(http, HttpMethod.Post, "/api/meet/join", null, new { token }));
        var op = await Json(await Send(http, HttpMethod.Post, $"/api/appointments/{a.GetProperty("id").GetString()}/meeting", cookie, new { }));
        var customerSession = joined.GetProperty("session").GetString()!;
        var operatorSession = op.GetProperty("session").GetString()!;
        using var admit = new HttpRequestMessage(HttpMethod.Post, "/api/meet/admit") { Content = JsonContent.Create(new { participantId = joined.GetProperty("room").GetProperty("you").GetProperty("id").GetString() }) };
        admit.Headers.Add(SessionHeader, operatorSession);
        (await http.SendAsync(admit)).EnsureSuccessStatusCode();
        return (operatorSession, customerSession);
    }

    private static async Task<HttpResponseMessage> Send(HttpClient http, HttpMethod method, string path, string? cookie, object body)
    {
        var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Parley-Client", "benchmark");
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }
        var response = await http.SendAsync(request);
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
