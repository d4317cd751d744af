using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Testing;

namespace Parley.Benchmarks;

/// <summary>
/// A booking page through the real app on Kestrel and Azurite: free-slot reads of one operator over four weeks (the
/// public page's hot path, cached), next to GET /api/health (the app's no-op) in the same run; that a booking shows in
/// the very next read; and bookings per second, each worker booking its own free times.
/// </summary>
internal static class BookingBenchmark
{
    public static async Task RunAsync(Azurite azurite, int concurrency, TimeSpan duration, TimeSpan warmup)
    {
        await using var factory = new ApiBenchmark.Factory(azurite, new()
        {
            ["RateLimits:BookingReads:Limit"] = "1000000000",
            ["RateLimits:Bookings:Limit"] = "1000000000",
            // Each worker is its own booker on its own network (X-Forwarded-For), as on the internet.
            ["Network:TrustForwardedFor"] = "true",
        });
        factory.UseKestrel(0);
        factory.StartServer();
        var address = ApiBenchmark.Address(factory);
        var (key, operatorId) = await ApiBenchmark.AccountKeyAsync(address, 500);
        var handle = "bench-" + Guid.NewGuid().ToString("N")[..12];
        var (bookingKey, bookingOperatorId) = await ApiBenchmark.AccountKeyAsync(address, 501);
        var roundTheClock = "bench-" + Guid.NewGuid().ToString("N")[..12];
        using (var admin = new HttpClient { BaseAddress = new Uri(address) })
        {
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bookingKey);
            var allDay = new[] { new { start = "00:00", end = "23:30" } };
            using var open = await admin.PutAsJsonAsync($"/api/operators/{bookingOperatorId}/availability", new
            {
                enabled = true, handle = roundTheClock, lengths = new[] { 30 }, increment = 30, minimumNotice = 0, daysAhead = 200, timeZone = "Europe/Berlin",
                weekly = new[] { "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday" }.ToDictionary(d => d, _ => allDay),
            });
            open.EnsureSuccessStatusCode();
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            // An adviser's usual week: Monday to Friday 09:00–12:30 and 13:30–18:00, 30-minute meetings.
            var office = new[] { new { start = "09:00", end = "12:30" }, new { start = "13:30", end = "18:00" } };
            using var put = await admin.PutAsJsonAsync($"/api/operators/{operatorId}/availability", new
            {
                enabled = true, handle, lengths = new[] { 30 }, increment = 30, minimumNotice = 0, daysAhead = 120, timeZone = "Europe/Berlin",
                weekly = new[] { "monday", "tuesday", "wednesday", "thursday", "friday" }.ToDictionary(d => d, _ => office),
            });
            put.EnsureSuccessStatusCode();
        }
        var clients = Enumerable.Range(0, concurrency).Select(w =>
        {
            var client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = new Uri(address) };
            client.DefaultRequestHeaders.Add("X-Forwarded-For", $"198.18.{w / 250}.{w % 250 + 1}");
            return client;
        }).ToArray();
        var from = DateTime.UtcNow.Date.AddDays(1);
        var fourWeeks = $"/api/book/{handle}/slots?length=30&from={Day(from)}&to={Day(from.AddDays(27))}&timeZone=Europe/Berlin";

        var results = new List<Measurement>();
        async Task Measure(string name, Func<int, long, Task> op)
        {
            await LoadRunner.RunAsync("warm-up", concurrency, warmup, op);
            results.Add(await LoadRunner.RunAsync(name, concurrency, duration, op));
        }
        await Measure("GET /api/health (no-op)", async (w, _) => Check(await clients[w].GetAsync("/api/health")));
        await Measure("free slots, 4 weeks (cached)", async (w, _) => Check(await clients[w].GetAsync(fourWeeks)));

        // Correct as well as fast: a booking is gone from the very next read.
        var slots = await SlotsAsync(clients[0], fourWeeks);
        var first = slots[0];
        Check(await clients[0].PostAsJsonAsync($"/api/book/{handle}", Booker(first, 0)));
        var visible = !(await SlotsAsync(clients[0], fourWeeks)).Contains(first);

        // Bookings: each worker books the free times of its own days from the 5th week on (bookers do not race each other;
        // the race is the tests' business), all for the one operator and account.
        var later = new List<DateTimeOffset>();
        for (var block = 0; block < 4; block++)
        {
            var blockStart = from.AddDays(block * 42);
            later.AddRange(await SlotsAsync(clients[0], $"/api/book/{roundTheClock}/slots?length=30&from={Day(blockStart)}&to={Day(blockStart.AddDays(41))}&timeZone=Europe/Berlin"));
        }
        var days = later.GroupBy(s => s.UtcDateTime.Date).OrderBy(g => g.Key).ToList();
        var own = Enumerable.Range(0, concurrency).Select(w => days.Where((_, d) => d % concurrency == w).SelectMany(g => g).ToList()).ToArray();
        var next = new int[concurrency];
        var failures = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var booking = await LoadRunner.RunAsync("bookings (own days each)", concurrency, duration, async (w, _) =>
        {
            if (next[w] >= own[w].Count)
            {
                return;
            }
            var start = own[w][next[w]++];
            using var response = await clients[w].PostAsJsonAsync($"/api/book/{roundTheClock}", Booker(start, w * 10_000 + next[w]));
            if (!response.IsSuccessStatusCode)
            {
                failures.AddOrUpdate($"{(int)response.StatusCode} {(await response.Content.ReadAsStringAsync())[..Math.Min(160, (int)response.Content.Headers.ContentLength.GetValueOrDefault(160))]}", 1, (_, n) => n + 1);
                throw new HttpRequestException($"HTTP {(int)response.StatusCode}");
            }
        });
        results.Add(booking);

        var baseline = results[0].PerSecond;
        Console.WriteLine($"{"operation",-36} {"req/s",9} {"p50 ms",8} {"p99 ms",8} {"errors",7} {"of no-op",9}");
        foreach (var m in results)
        {
            Console.WriteLine($"{m.Name,-36} {m.PerSecond,9:N0} {m.P50,8:N2} {m.P99,8:N2} {m.Errors,7} {m.PerSecond / baseline,9:P1}");
        }
        var reads = results[1];
        Console.WriteLine();
        Console.WriteLine($"free-slot reads: {reads.PerSecond / baseline:P1} of the no-op   target ≥ 50 %   {(reads.PerSecond / baseline >= 0.5 ? "met" : "NOT met")}");
        Console.WriteLine($"a booking is gone from the next read: {(visible ? "yes" : "NO")}");
        Console.WriteLine($"bookings: {booking.PerSecond:N0}/s ({later.Count} free times available to book)");
        foreach (var (what, count) in failures)
        {
            Console.WriteLine($"  refused {count}×: {what}");
        }
        foreach (var c in clients)
        {
            c.Dispose();
        }
    }

    private static object Booker(DateTimeOffset start, int n) => new
    {
        start = start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), length = 30, name = $"Booker {n}",
        email = $"booker{n}@example.com", language = "en", timeZone = "Europe/Berlin",
    };

    private static string Day(DateTime d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static async Task<List<DateTimeOffset>> SlotsAsync(HttpClient client, string path)
    {
        using var doc = JsonDocument.Parse(await client.GetStringAsync(path));
        return doc.RootElement.GetProperty("days").EnumerateArray().SelectMany(d => d.GetProperty("slots").EnumerateArray().Select(s => s.GetDateTimeOffset())).ToList();
    }

    private static void Check(HttpResponseMessage response)
    {
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"HTTP {(int)response.StatusCode}");
            }
        }
    }
}
