using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Parley.Functions.Meetings;
using Parley.Testing;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Cases.CaseApiTests;
using static Parley.Tests.Infrastructure.Accounts;
using static Parley.Tests.Meetings.MeetingKit;

namespace Parley.Tests.Security;

/// <summary>
/// The meeting code as a second factor (quality bars: pin_bruteforce_single_meeting, auth_failure_indistinguishable):
/// at most 10 wrong codes are ever compared per code, spoofed forwarding headers change nothing, and every failed
/// join looks the same in status, body and time.
/// </summary>
public sealed class MeetingPinTests
{
    private static readonly DateTimeOffset Now = new(2027, 1, 5, 8, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// An app on its own storage account: these tests drive thousands of joins through the global join limit, whose
    /// counter would otherwise be shared with every other test's app on the shared Azurite.
    /// </summary>
    private static async Task<ParleyApp> StartAsync(TestClock clock, Dictionary<string, string?> settings, bool isolated = true)
    {
        if (isolated)
        {
            settings["AzureWebJobsStorage"] = (await Azurite.SharedAsync()).IsolatedConnectionString();
        }
        return await ParleyApp.StartAsync(settings, s => s.AddSingleton<TimeProvider>(clock));
    }

    [Fact]
    public async Task pin_bruteforce_single_meeting()
    {
        var clock = new TestClock(Now);
        await using var app = await StartAsync(clock, new()
        {
            // One client address whatever the request claims: forwarded headers are not trusted here (as in production
            // without a proxy), so the 200 spoofed X-Forwarded-For values below are the same attacker.
            ["Network:TrustForwardedFor"] = "false",
            // This test counts compared guesses: the request limits (tested below) and the failure delay would only slow it.
            ["RateLimits:MeetJoin:Limit"] = "1000000",
            ["RateLimits:MeetJoinGlobal:Limit"] = "1000000",
            ["Meetings:FailureDelay"] = "00:00:00",
            ["Meetings:PinMaxReissues"] = "0",
        });
        var (admin, me) = await SignUpAsync(app);
        var c = await CreateAsync(admin, new { name = "Ziel" });
        var (appointment, token) = await ScheduleAsync(admin, Id(c), Now.AddMinutes(5), pin: true);
        var pin = Pin(appointment)!;
        var guesses = Enumerable.Range(0, 10_001).Select(n => n.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).Where(g => g != pin).Take(10_000).ToList();
        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        var bodies = new ConcurrentDictionary<string, int>();
        using var attacker = new HttpClient(app.Server.CreateHandler()) { BaseAddress = new Uri("https://localhost") };

        await Parallel.ForEachAsync(guesses.Select((guess, i) => (guess, i)), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (g, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/meet/join") { Content = System.Net.Http.Json.JsonContent.Create(new { token, pin = g.guess }) };
            if (g.i % 50 == 0)
            {
                request.Headers.Add("X-Forwarded-For", $"203.0.113.{g.i / 50 % 200}"); // 200 spoofed addresses
            }
            using var response = await attacker.SendAsync(request, ct);
            statuses.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
            bodies.AddOrUpdate(await response.Content.ReadAsStringAsync(ct), 1, (_, n) => n + 1);
        });

        var row = await app.Storage.GetTableClient(RoomStore.TableName).GetEntityAsync<TableEntity>($"{me.GetProperty("account").GetProperty("id").GetString()}|{appointment.GetProperty("id").GetString()}", "pin");
        Assert.DoesNotContain(HttpStatusCode.OK, statuses.Keys); // 0 successes
        // Every answer is the identical failure, or a refusal by the request limiter (which fails closed when 8
        // requests at once contend for its one counter); nothing else.
        Assert.All(statuses.Keys, s => Assert.Contains(s, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.ServiceUnavailable }));
        Assert.True(statuses[HttpStatusCode.Unauthorized] >= 1000, $"Only {statuses[HttpStatusCode.Unauthorized]} guesses reached the code check.");
        Assert.Contains(MeetingEndpoints.FailureBody, bodies.Keys);
        Assert.All(bodies.Keys.Where(b => b.Contains("\"status\":401", StringComparison.Ordinal)), b => Assert.Equal(MeetingEndpoints.FailureBody, b));
        Assert.Equal(10, row.Value.GetInt32("Failures")); // at most 10 guesses were ever compared with the code
        Assert.True(row.Value.GetBoolean("Locked"));
        // Locked means locked: even the right code is refused now, and the operator sees why.
        using var right = await JoinAsync(Customer(app), token, pin);
        Assert.Equal(HttpStatusCode.Unauthorized, right.StatusCode);
        var history = (await admin.GetJsonAsync($"/api/appointments/{appointment.GetProperty("id").GetString()}")).GetProperty("history");
        Assert.Equal("pinLocked", history[history.GetArrayLength() - 1].GetProperty("action").GetString());
        Assert.Contains("10 times", history[history.GetArrayLength() - 1].GetProperty("reason").GetString());
        // The operator issues a new code; it lets the customer in.
        using var renewed = await admin.PostAsync($"/api/appointments/{appointment.GetProperty("id").GetString()}/meeting/pin");
        var newPin = (await ApiSession.ReadAsync(renewed, HttpStatusCode.OK)).GetProperty("pin").GetString()!;
        await JoinOkAsync(Customer(app), token, newPin);
    }

    [Fact]
    public async Task A_locked_code_is_replaced_and_sent_to_the_customer_and_the_old_one_stays_refused()
    {
        var clock = new TestClock(Now);
        await using var app = await StartAsync(clock, new() { ["Meetings:FailureDelay"] = "00:00:00", ["Durable:Enabled"] = "true", ["Notifications:HandOverWait"] = "00:00:05" }, isolated: false);
        var (admin, _) = await SignUpAsync(app);
        var c = await CreateAsync(admin, new { name = "Ziel", email = "ziel@example.com" });
        var (appointment, token) = await ScheduleAsync(admin, Id(c), Now.AddMinutes(5), pin: true, email: true);
        var id = appointment.GetProperty("id").GetString()!;
        var oldPin = Pin(appointment)!;
        var customer = Customer(app);

        for (var i = 0; i < 10; i++)
        {
            using var wrong = await JoinAsync(customer, token, oldPin == "000000" ? "111111" : "000000");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
        var after = await admin.GetJsonAsync($"/api/appointments/{id}");
        using var old = await JoinAsync(customer, token, oldPin);

        var reissued = after.GetProperty("history").EnumerateArray().Last();
        Assert.Equal("pinReissued", reissued.GetProperty("action").GetString());
        Assert.Equal("system", reissued.GetProperty("by").GetString());
        Assert.NotEqual(oldPin, Pin(after));
        // The new code reaches the customer by the invitation channels (here e-mail, through the developer outbox).
        await Poll.UntilAsync("an invitation e-mail with the new code", async () =>
            (await admin.GetJsonAsync("/api/outbox")).EnumerateArray().Any(m => m.GetProperty("text").GetString()!.Contains(Pin(after)!, StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        await JoinOkAsync(customer, token, Pin(after));
    }

    [Fact]
    public async Task The_join_is_limited_per_client_address_and_spoofed_forwarding_headers_do_not_help()
    {
        await using var app = await StartAsync(new TestClock(Now), new() { ["Network:TrustForwardedFor"] = "false", ["Meetings:FailureDelay"] = "00:00:00" });
        var (admin, _) = await SignUpAsync(app);
        var c = await CreateAsync(admin, new { name = "Ziel" });
        var (_, token) = await ScheduleAsync(admin, Id(c), Now.AddMinutes(5), pin: true);
        using var attacker = new HttpClient(app.Server.CreateHandler()) { BaseAddress = new Uri("https://localhost") };

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 30; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/meet/join") { Content = System.Net.Http.Json.JsonContent.Create(new { token, pin = "000000" }) };
            request.Headers.Add("X-Forwarded-For", $"203.0.113.{i}");
            using var response = await attacker.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(20, statuses.Count(s => s == HttpStatusCode.Unauthorized)); // MeetJoin: 20 per 10 minutes and address
        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task auth_failure_indistinguishable()
    {
        var clock = new TestClock(Now);
        await using var app = await StartAsync(clock, new()
        {
            ["RateLimits:MeetJoin:Limit"] = "1000000",
            ["RateLimits:MeetJoinGlobal:Limit"] = "1000000",
            ["Meetings:FailureDelay"] = "00:00:00.250",
            ["Meetings:PinMaxFailures"] = "1000000", // the "wrong code" meeting must not lock during the samples
        });
        var (admin, me) = await SignUpAsync(app);
        var c = await CreateAsync(admin, new { name = "Ziel" });
        var (_, wrongToken) = await ScheduleAsync(admin, Id(c), Now.AddDays(30), pin: true);
        var (locked, lockedToken) = await ScheduleAsync(admin, Id(c), Now.AddDays(31), pin: true);
        var (ended, endedToken) = await ScheduleAsync(admin, Id(c), Now.AddMinutes(5), pin: true);
        // The locked meeting's code: locked as the guard leaves it after its last wrong guess.
        var room = $"{me.GetProperty("account").GetProperty("id").GetString()}|{locked.GetProperty("id").GetString()}";
        await app.Storage.GetTableClient(RoomStore.TableName).UpsertEntityAsync(new TableEntity(room, "pin") { ["Generation"] = 0, ["Failures"] = 10, ["Locked"] = true, ["Reissues"] = 3 });
        clock.Advance(TimeSpan.FromDays(8)); // the ended meeting's link is past its 7 days
        var unknownToken = Token(locked)[..^4] + "AAAA";
        var kinds = new (string Name, string Token, string Pin)[]
        {
            ("unknown token", unknownToken, "123456"),
            ("wrong code", wrongToken, "000000"),
            ("locked code", lockedToken, Pin(locked)!),
            ("ended meeting", endedToken, Pin(ended)!),
        };
        using var client = new HttpClient(app.Server.CreateHandler()) { BaseAddress = new Uri("https://localhost") };
        var samples = kinds.ToDictionary(k => k.Name, _ => new List<double>());
        var answers = kinds.ToDictionary(k => k.Name, _ => new HashSet<string>());

        // The four kinds at once in every round, so load and the machine's moods hit them alike.
        for (var round = 0; round < 100; round++)
        {
            await Task.WhenAll(kinds.Select(async kind =>
            {
                var clockwatch = Stopwatch.StartNew();
                using var response = await client.PostAsync("/api/meet/join", System.Net.Http.Json.JsonContent.Create(new { token = kind.Token, pin = kind.Pin }));
                var body = await response.Content.ReadAsStringAsync();
                var elapsed = clockwatch.Elapsed.TotalMilliseconds;
                lock (samples)
                {
                    samples[kind.Name].Add(elapsed);
                    answers[kind.Name].Add($"{(int)response.StatusCode} {response.Content.Headers.ContentType} {body}");
                }
            }));
        }

        var expected = $"401 application/problem+json; charset=utf-8 {MeetingEndpoints.FailureBody}";
        foreach (var kind in kinds)
        {
            Assert.Equal(expected, Assert.Single(answers[kind.Name]));
        }
        var medians = samples.ToDictionary(s => s.Key, s => Median(s.Value));
        var spread = medians.Values.Max() - medians.Values.Min();
        Assert.True(spread < 5, $"Median latencies differ by {spread:0.0} ms: {string.Join(", ", medians.Select(m => $"{m.Key} {m.Value:0.0} ms"))}");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
