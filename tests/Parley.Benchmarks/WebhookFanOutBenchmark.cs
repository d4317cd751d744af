using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Parley.Functions.Identity;
using Parley.Testing;

namespace Parley.Benchmarks;

/// <summary>
/// Webhook fan-out through the real app (Kestrel, Azurite, the durable engine): one account with <c>endpoints</c>
/// endpoints on a local receiver (a bare Kestrel answering 204), all subscribed to <c>case.created</c>; cases are created
/// one after another through the API; each case's event goes to every endpoint. Latency = from the create request's
/// answer to a delivery reaching the receiver; throughput = deliveries per second from the first create to the last
/// delivery. Next to it, GET /api/health in the same run (the no-op).
/// </summary>
internal static class WebhookFanOutBenchmark
{
    public static async Task RunAsync(Azurite azurite, int endpoints, int events)
    {
        var arrivals = new ConcurrentDictionary<string, long>(); // "{path}|{webhook-id}" → first arrival
        var duplicates = 0;
        var receiverBuilder = WebApplication.CreateSlimBuilder();
        receiverBuilder.Logging.ClearProviders();
        receiverBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var receiver = receiverBuilder.Build();
        receiver.Run(async context =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null);
            if (!arrivals.TryAdd(context.Request.Path + "|" + context.Request.Headers["webhook-id"], Stopwatch.GetTimestamp()))
            {
                Interlocked.Increment(ref duplicates);
            }
            context.Response.StatusCode = StatusCodes.Status204NoContent;
        });
        await receiver.StartAsync();
        var receiverUrl = receiver.Urls.First().TrimEnd('/');

        await using var factory = new ApiBenchmark.Factory(azurite, new()
        {
            ["Durable:Enabled"] = "true",
            ["Webhooks:AllowLoopback"] = "true",
        });
        factory.UseKestrel(0);
        factory.StartServer();
        using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = new Uri(ApiBenchmark.Address(factory)), Timeout = TimeSpan.FromSeconds(60) };

        var health = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            (await http.GetAsync("/api/health")).Dispose();
            health.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }

        using var signUp = await Send(http, HttpMethod.Post, "/api/accounts", null, new { businessName = "Webhook bench", timeZone = "Europe/Berlin", adminName = "Olga Operator", email = $"webhooks.{Guid.NewGuid():N}@example.com", password = "correct horse battery staple" });
        var cookie = signUp.Headers.GetValues("Set-Cookie").First(c => c.StartsWith(OperatorSessions.CookieName + "=", StringComparison.Ordinal)).Split(';')[0];
        for (var i = 0; i < endpoints; i++)
        {
            (await Send(http, HttpMethod.Post, "/api/webhooks/endpoints", cookie, new { url = $"{receiverUrl}/r{i:D3}", eventTypes = new[] { "case.created" } })).Dispose();
        }

        var created = new Dictionary<string, long>(); // case id → when its create answered
        var createMs = new List<double>();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < events; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            using var response = await Send(http, HttpMethod.Post, "/api/cases", cookie, new { name = $"Fan-out {i:D3}" });
            var answered = Stopwatch.GetTimestamp();
            createMs.Add(Stopwatch.GetElapsedTime(t0, answered).TotalMilliseconds);
            created[(await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!] = answered;
        }
        var expected = endpoints * events;
        var deadline = Stopwatch.GetTimestamp() + (long)(Stopwatch.Frequency * 120);
        while (arrivals.Count < expected && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(50);
        }
        var end = arrivals.Values.DefaultIfEmpty(Stopwatch.GetTimestamp()).Max();

        // Which case each delivery was: the webhook-id is per event, the receiver saw it on every endpoint; map via the log of one endpoint.
        var log = await Json(await Send(http, HttpMethod.Get, "/api/webhooks/endpoints", cookie, null));
        var firstEndpoint = log.EnumerateArray().First().GetProperty("id").GetString()!;
        var messageToCase = new Dictionary<string, string>();
        string? cursor = null;
        do
        {
            var page = await Json(await Send(http, HttpMethod.Get, $"/api/webhooks/endpoints/{firstEndpoint}/deliveries?limit=100" + (cursor is null ? "" : "&cursor=" + cursor), cookie, null));
            foreach (var d in page.GetProperty("items").EnumerateArray())
            {
                messageToCase[d.GetProperty("messageId").GetString()!] = d.GetProperty("eventId").GetString()!;
            }
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.String ? page.GetProperty("nextCursor").GetString() : null;
        }
        while (cursor is not null);
        var events2 = await Json(await Send(http, HttpMethod.Get, "/api/events?type=case.created&limit=100", cookie, null));
        var eventToCase = events2.GetProperty("items").EnumerateArray().ToDictionary(e => e.GetProperty("id").GetString()!, e => e.GetProperty("data").GetProperty("id").GetString()!);
        var latencies = arrivals
            .Select(a => (Message: a.Key.Split('|')[1], At: a.Value))
            .Where(a => messageToCase.TryGetValue(a.Message, out var evt) && eventToCase.ContainsKey(evt))
            .Select(a => Stopwatch.GetElapsedTime(created[eventToCase[messageToCase[a.Message]]], a.At).TotalMilliseconds)
            .Order().ToArray();

        static double P(IReadOnlyList<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
        var h = health.Order().ToArray();
        var c = createMs.Order().ToArray();
        var seconds = Stopwatch.GetElapsedTime(start, end).TotalSeconds;
        Console.WriteLine($"{"measurement",-52} {"count",7} {"p50 ms",8} {"p99 ms",8} {"max ms",8}");
        Console.WriteLine($"{"GET /api/health (no-op baseline)",-52} {h.Length,7} {P(h, 0.5),8:N1} {P(h, 0.99),8:N1} {h[^1],8:N1}");
        Console.WriteLine($"{"POST /api/cases (publishes case.created)",-52} {c.Length,7} {P(c, 0.5),8:N1} {P(c, 0.99),8:N1} {c[^1],8:N1}");
        Console.WriteLine($"{$"case.created -> {endpoints} endpoints, event to receiver",-52} {latencies.Length,7} {P(latencies, 0.5),8:N1} {P(latencies, 0.99),8:N1} {(latencies.Length > 0 ? latencies[^1] : double.NaN),8:N1}");
        Console.WriteLine($"delivered {arrivals.Count} of {expected} ({duplicates} repeated webhook-ids) in {seconds:N1} s = {arrivals.Count / seconds:N1} deliveries/s");
        await receiver.StopAsync();
    }

    private static async Task<HttpResponseMessage> Send(HttpClient http, HttpMethod method, string path, string? cookie, object? body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("X-Parley-Client", "benchmark");
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }
        var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
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
