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
    private static async Task<ParleyApp> StartAsync(TestClock clock, Dictionary<string, string?> settings, bool isolated = true, CapturedLogs? logs = null)
    {
        if (isolated)
        {
            settings["AzureWebJobsStorage"] = (await Azurite.SharedAsync()).IsolatedConnectionString();
        }
        return await ParleyApp.StartAsync(settings, s =>
        {
            s.AddSingleton<TimeProvider>(clock);
            if (logs is not null)
            {
                s.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs);
            }
        });
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
            ["Meetings:FailureDelay"] = "00:00:00", // this test counts; the timing test is below
            ["Meetings:PinMaxReissues"] = "0",
        });
        var (admin, me) = await SignUpAsync(app);
        var accountId = me.GetProperty("account").GetProperty("id").GetString()!;
        var c = await CreateAsync(admin, new { name = "Ziel" });
        var (appointment, token) = await ScheduleAsync(admin, Id(c), Now.AddMinutes(5), pin: true);
        var pin = Pin(appointment)!;
        var guesses = Enumerable.Range(0, 10_001).Select(n => n.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).Where(g => g != pin).Take(10_000).ToList();
        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        var failureBodies = new ConcurrentDictionary<string, int>();
        using var attacker = new HttpClient(app.Server.CreateHandler()) { BaseAddress = new Uri("https://localhost") };

        // 10,000 wrong codes through the real endpoint, the production limits in place.
        await Parallel.ForEachAsync(guesses.Select((guess, i) => (guess, i)), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (g, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/meet/join") { Content = System.Net.Http.Json.JsonContent.Create(new { token, pin = g.guess }) };
            if (g.i % 50 == 0)
            {
                request.Headers.Add("X-Forwarded-For", $"203.0.113.{g.i / 50 % 200}"); // 200 spoofed addresses
            }
            using var response = await attacker.SendAsync(request, ct);
            statuses.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                failureBodies.AddOrUpdate(await response.Content.ReadAsStringAsync(ct), 1, (_, n) => n + 1);
            }
        });

        Assert.DoesNotContain(HttpStatusCode.OK, statuses.Keys); // 0 successes
        // Refused by the per-address limit (429), or by the limiter failing closed when it cannot decide (503); the spoofed
        // headers bought nothing: no more than the one address's 20 attempts reached the code check.
        Assert.All(statuses.Keys, s => Assert.Contains(s, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.ServiceUnavailable }));
        Assert.InRange(statuses.GetValueOrDefault(HttpStatusCode.Unauthorized), 1, 20);
        Assert.Equal(MeetingEndpoints.FailureBody, Assert.Single(failureBodies).Key);
        var room = $"{accountId}|{appointment.GetProperty("id").GetString()}";
        var counter = (await app.Storage.GetTableClient(RoomStore.TableName).GetEntityAsync<TableEntity>(room, "pin")).Value;
        Assert.Equal(10, counter.GetInt32("Failures")); // 10 compared, then locked
        Assert.True(counter.GetBoolean("Locked"));

        // The guard on its own, without the limiter in front: 1,000 wrong guesses at once against a fresh meeting.
        var guard = app.Services.GetRequiredService<PinGuard>();
        var appointments = app.Services.GetRequiredService<Parley.Functions.Appointments.AppointmentStore>();
        var tenant = new Parley.Functions.Identity.Tenant(accountId, null, Parley.Functions.Accounts.OperatorRole.Administrator, "test");
        var (second, _) = await ScheduleAsync(admin, Id(c), Now.AddHours(3), pin: true);
        var target = (await appointments.GetAsync(tenant, second.GetProperty("id").GetString()!, CancellationToken.None))!;
        var verdicts = new ConcurrentBag<PinVerdict>();
        await Parallel.ForEachAsync(guesses.Where(g => g != target.Pin).Take(1000), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (guess, ct) =>
            verdicts.Add(await guard.CheckAsync(target, guess, ct)));
        var secondCounter = (await app.Storage.GetTableClient(RoomStore.TableName).GetEntityAsync<TableEntity>($"{accountId}|{target.Id}", "pin")).Value;

        Assert.DoesNotContain(PinVerdict.Correct, verdicts);
        Assert.Equal(10, secondCounter.GetInt32("Failures"));
        Assert.True(secondCounter.GetBoolean("Locked"));
        // Locked means locked: even the right code is refused now, and the operator sees why.
        Assert.Equal(PinVerdict.Locked, await guard.CheckAsync(target, target.Pin!, CancellationToken.None));
        var history = (await admin.GetJsonAsync($"/api/appointments/{target.Id}")).GetProperty("history");
        Assert.Equal("pinLocked", history[history.GetArrayLength() - 1].GetProperty("action").GetString());
        Assert.Contains("10 times", history[history.GetArrayLength() - 1].GetProperty("reason").GetString());
        // The operator issues a new code; it opens the meeting.
        using var renewed = await admin.PostAsync($"/api/appointments/{target.Id}/meeting/pin");
        var newPin = (await ApiSession.ReadAsync(renewed, HttpStatusCode.OK)).GetProperty("pin").GetString()!;
        var renewedAppointment = (await appointments.GetAsync(tenant, target.Id, CancellationToken.None))!;
        Assert.Equal(PinVerdict.Correct, await guard.CheckAsync(renewedAppointment, newPin, CancellationToken.None));
    }

    [Fact]
    public async Task A_locked_code_is_replaced_and_sent_to_the_customer_and_the_old_one_stays_refused()
    {
        var clock = new TestClock(Now);
        var logs = new CapturedLogs();
        await using var app = await StartAsync(clock, new() { ["Meetings:FailureDelay"] = "00:00:00", ["Durable:Enabled"] = "true", ["Notifications:HandOverWait"] = "00:00:05",
            ["Logging:LogLevel:Microsoft.DurableTask"] = "Information", ["Logging:LogLevel:DurableTask"] = "Warning" },
            isolated: false, logs: logs);
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
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!(await admin.GetJsonAsync("/api/outbox")).EnumerateArray().Any(m => m.GetProperty("text").GetString()!.Contains(Pin(after)!, StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "No invitation e-mail with the new code within 90 s. Logs:\n" +
                string.Join("\n", logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning || e.Text.Contains("Exception", StringComparison.Ordinal)).Select(e => $"{e.Level} {e.Category}: {e.Text}").TakeLast(60)));
            await Task.Delay(200);
        }
        // Codes never reach the logs.
        Assert.DoesNotContain(logs.Entries, e => e.Text.Contains(oldPin, StringComparison.Ordinal) || e.Text.Contains(Pin(after)!, StringComparison.Ordinal));
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
