using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Presence;

/// <summary>Operators' presence: the chosen mode, Away after inactivity, heartbeats, the dialog button's public status.</summary>
public sealed class PresenceApiTests
{
    private static readonly DateTimeOffset Now = new(2027, 1, 5, 8, 0, 0, TimeSpan.Zero);

    private static Task<ParleyApp> StartAsync(TestClock clock) =>
        ParleyApp.StartAsync(new() { ["Durable:Enabled"] = "false", ["Presence:AwayAfter"] = "00:10:00" }, s => s.AddSingleton<TimeProvider>(clock));

    private static string OperatorId(JsonElement me) => me.GetProperty("operator").GetProperty("id").GetString()!;

    private static string AccountId(JsonElement me) => me.GetProperty("account").GetProperty("id").GetString()!;

    /// <summary>The public answer, read as a visitor's browser sends it (no dashboard header, no cookie).</summary>
    private static async Task<(HttpResponseMessage Response, JsonElement Body)> PublicAsync(ParleyApp app, string widgetKey)
    {
        using var visitor = app.NewSession(dashboardHeader: false);
        var response = await visitor.GetAsync($"/api/widget/{widgetKey}/presence");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return (response, body);
    }

    private static async Task<string> PublicStatusAsync(ParleyApp app, string widgetKey)
    {
        var (response, body) = await PublicAsync(app, widgetKey);
        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return body.GetProperty("status").GetString()!;
        }
    }

    [Fact]
    public async Task An_operator_switches_online_and_away_and_an_online_operator_without_activity_becomes_away()
    {
        var clock = new TestClock(Now);
        await using var app = await StartAsync(clock);
        var (admin, me) = await SignUpAsync(app);

        var initial = await admin.GetJsonAsync("/api/me/presence");
        Assert.Equal("away", initial.GetProperty("mode").GetString());
        Assert.Equal("away", initial.GetProperty("status").GetString());

        var online = await ApiSession.ReadAsync(await admin.PutAsync("/api/me/presence", new { mode = "online" }), HttpStatusCode.OK);
        Assert.Equal("online", online.GetProperty("mode").GetString());
        Assert.Equal("online", online.GetProperty("status").GetString());
        Assert.Equal("online", (await admin.GetJsonAsync("/api/me/presence")).GetProperty("status").GetString());

        // Nine minutes later a heartbeat keeps the operator online past the original ten minutes.
        clock.Advance(TimeSpan.FromMinutes(9));
        await ApiSession.ReadAsync(await admin.PostAsync("/api/me/presence/heartbeat"), HttpStatusCode.NoContent);
        clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal("online", (await admin.GetJsonAsync("/api/me/presence")).GetProperty("status").GetString());

        // Without activity for AwayAfter: Away, while the chosen mode stays online.
        clock.Advance(TimeSpan.FromMinutes(2));
        var idle = await admin.GetJsonAsync("/api/me/presence");
        Assert.Equal("online", idle.GetProperty("mode").GetString());
        Assert.Equal("away", idle.GetProperty("status").GetString());
        var team = await admin.GetJsonAsync("/api/operators/presence");
        Assert.Equal("away", team.GetProperty("operators").EnumerateArray().Single(o => o.GetProperty("operatorId").GetString() == OperatorId(me)).GetProperty("status").GetString());

        // A heartbeat brings them back; choosing Away wins over activity.
        await ApiSession.ReadAsync(await admin.PostAsync("/api/me/presence/heartbeat"), HttpStatusCode.NoContent);
        Assert.Equal("online", (await admin.GetJsonAsync("/api/me/presence")).GetProperty("status").GetString());
        var away = await ApiSession.ReadAsync(await admin.PutAsync("/api/me/presence", new { mode = "away" }), HttpStatusCode.OK);
        Assert.Equal("away", away.GetProperty("status").GetString());
        await ApiSession.ReadAsync(await admin.PostAsync("/api/me/presence/heartbeat"), HttpStatusCode.NoContent);
        Assert.Equal("away", (await admin.GetJsonAsync("/api/me/presence")).GetProperty("status").GetString());

        var invalid = await ApiSession.ReadAsync(await admin.PutAsync("/api/me/presence", new { mode = "busy" }), HttpStatusCode.BadRequest);
        Assert.True(invalid.GetProperty("errors").TryGetProperty("mode", out _));
    }

    [Fact]
    public async Task The_public_status_is_only_online_or_away_and_the_same_for_unknown_keys_and_inactive_operators()
    {
        var clock = new TestClock(Now);
        await using var app = await StartAsync(clock);
        var (admin, me) = await SignUpAsync(app);
        var account = AccountId(me);
        var (operatorId, operatorEmail) = await AddOperatorAsync(admin, app);
        using var adviser = await SignInAsync(app, operatorEmail);
        var adminKey = $"{account}-{OperatorId(me)}";
        var adviserKey = $"{account}-{operatorId}";

        Assert.Equal("away", await PublicStatusAsync(app, adminKey));
        await ApiSession.ReadAsync(await admin.PutAsync("/api/me/presence", new { mode = "online" }), HttpStatusCode.OK);
        await ApiSession.ReadAsync(await adviser.PutAsync("/api/me/presence", new { mode = "online" }), HttpStatusCode.OK);
        // Each key's answer is reused for at most 5 s.
        await Poll.UntilAsync("the button shows online", async () => await PublicStatusAsync(app, adminKey) == "online", TimeSpan.FromSeconds(15));

        var (response, body) = await PublicAsync(app, adminKey);
        using (response)
        {
            Assert.Equal(["status"], body.EnumerateObject().Select(p => p.Name));
            Assert.Contains("no-store", response.Headers.CacheControl?.ToString());
        }

        // The operator is deactivated: their button answers as an unknown key does.
        await ApiSession.ReadAsync(await admin.PatchAsync($"/api/operators/{operatorId}", new { name = "Otto Operator", role = "operator", lineId = "201", active = false }), HttpStatusCode.OK);
        var unknown = new[] { $"{account}-{Guid.NewGuid():N}", $"{Guid.NewGuid():N}-{Guid.NewGuid():N}", "nonsense", new string('x', 200) };
        var answers = new List<string>();
        foreach (var key in unknown.Append(adviserKey))
        {
            var (r, b) = await PublicAsync(app, key);
            using (r)
            {
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
                answers.Add(b.GetRawText());
            }
        }
        Assert.All(answers, a => Assert.Equal("""{"status":"away"}""", a));
    }

    [Fact]
    public async Task An_api_key_has_no_presence()
    {
        var clock = new TestClock(Now);
        await using var app = await StartAsync(clock);
        var (admin, _) = await SignUpAsync(app);
        var apiKey = (await ApiSession.ReadAsync(await admin.PostAsync("/api/api-keys", new { name = "integration" }), HttpStatusCode.Created)).GetProperty("key").GetString()!;
        using var integration = app.NewSession(dashboardHeader: false);
        integration.UseApiKey(apiKey);

        using var get = await integration.GetAsync("/api/me/presence");
        using var put = await integration.PutAsync("/api/me/presence", new { mode = "online" });
        using var heartbeat = await integration.PostAsync("/api/me/presence/heartbeat");
        using var team = await integration.GetAsync("/api/operators/presence");

        Assert.Equal(HttpStatusCode.Forbidden, get.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, heartbeat.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, team.StatusCode);
        Assert.Equal("away", (await admin.GetJsonAsync("/api/me/presence")).GetProperty("mode").GetString());
    }
}
