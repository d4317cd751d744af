using System.Net;
using System.Text.Json;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Booking;

public sealed class AvailabilityApiTests : AppTest
{
    internal static string OperatorId(JsonElement me) => me.GetProperty("operator").GetProperty("id").GetString()!;

    internal static string NewHandle(string prefix = "op") => $"{prefix}-{Guid.NewGuid():N}"[..30];

    [Fact]
    public async Task An_operator_starts_from_office_hours_in_their_zone_and_publishes_under_a_handle()
    {
        var (admin, me) = await SignUpAsync(App);
        var id = OperatorId(me);
        var handle = NewHandle("anna");

        var initial = await admin.GetJsonAsync($"/api/operators/{id}/availability");
        var saved = await ApiSession.ReadAsync(await admin.PutAsync($"/api/operators/{id}/availability", new
        {
            enabled = true,
            handle,
            weekly = new Dictionary<string, object[]> { ["monday"] = [new { start = "13:00", end = "17:00" }, new { start = "09:00", end = "12:00" }], ["friday"] = [] },
            overrides = new[] { new { date = "2027-12-24", intervals = Array.Empty<object>() } },
            lengths = new[] { 60, 15, 30 },
            increment = 15,
            bufferAfter = 10,
            maxPerDay = 4,
        }), HttpStatusCode.OK);
        var reread = await admin.GetJsonAsync($"/api/operators/{id}/availability");

        Assert.False(initial.GetProperty("enabled").GetBoolean());
        Assert.Equal("Europe/Berlin", initial.GetProperty("timeZone").GetString());
        Assert.Equal("09:00", initial.GetProperty("weekly").GetProperty("tuesday")[0].GetProperty("start").GetString());
        Assert.Equal(0, initial.GetProperty("weekly").GetProperty("sunday").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, initial.GetProperty("bookingUrl").ValueKind);

        Assert.Equal(saved.GetRawText(), reread.GetRawText());
        Assert.Equal(["09:00", "13:00"], reread.GetProperty("weekly").GetProperty("monday").EnumerateArray().Select(i => i.GetProperty("start").GetString()));
        Assert.Equal(0, reread.GetProperty("weekly").GetProperty("friday").GetArrayLength());
        Assert.Equal("09:00", reread.GetProperty("weekly").GetProperty("tuesday")[0].GetProperty("start").GetString()); // untouched days keep their hours
        Assert.Equal([15, 30, 60], reread.GetProperty("lengths").EnumerateArray().Select(l => l.GetInt32()));
        Assert.Equal(4, reread.GetProperty("maxPerDay").GetInt32());
        Assert.Equal($"https://localhost/book/{handle}", reread.GetProperty("bookingUrl").GetString());
    }

    [Fact]
    public async Task Handles_are_unique_across_accounts_and_free_again_when_changed()
    {
        var (first, firstMe) = await SignUpAsync(App);
        var (second, secondMe) = await SignUpAsync(App);
        var handle = NewHandle("taken");
        await ApiSession.ReadAsync(await first.PutAsync($"/api/operators/{OperatorId(firstMe)}/availability", new { enabled = true, handle }), HttpStatusCode.OK);

        var refused = await ApiSession.ReadAsync(await second.PutAsync($"/api/operators/{OperatorId(secondMe)}/availability", new { enabled = true, handle }), HttpStatusCode.Conflict);
        await ApiSession.ReadAsync(await first.PutAsync($"/api/operators/{OperatorId(firstMe)}/availability", new { handle = handle + "x" }), HttpStatusCode.OK);
        var taken = await ApiSession.ReadAsync(await second.PutAsync($"/api/operators/{OperatorId(secondMe)}/availability", new { enabled = true, handle }), HttpStatusCode.OK);

        Assert.True(refused.GetProperty("errors").TryGetProperty("handle", out _));
        Assert.Equal(handle, taken.GetProperty("handle").GetString());
    }

    [Fact]
    public async Task Invalid_settings_are_refused_field_by_field_and_nothing_is_saved()
    {
        var (admin, me) = await SignUpAsync(App);
        var id = OperatorId(me);

        var problem = await ApiSession.ReadAsync(await admin.PutAsync($"/api/operators/{id}/availability", new
        {
            enabled = true,
            handle = "<b>Anna</b>",
            timeZone = "Mars/Olympus",
            weekly = new Dictionary<string, object[]> { ["monday"] = [new { start = "12:00", end = "09:00" }], ["tuesday"] = [new { start = "09:00", end = "12:00" }, new { start = "11:00", end = "13:00" }], ["funday"] = [] },
            overrides = new[] { new { date = "24.12.2027", intervals = Array.Empty<object>() } },
            lengths = new[] { 7 },
            increment = 0,
            bufferBefore = 1000,
            maxPerDay = 1000,
        }), HttpStatusCode.BadRequest);
        var after = await admin.GetJsonAsync($"/api/operators/{id}/availability");

        var errors = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "handle", "timeZone", "weekly.monday", "weekly.tuesday", "weekly", "overrides[0].date", "lengths", "increment", "bufferBefore", "maxPerDay" }, errors);
        Assert.False(after.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, after.GetProperty("handle").ValueKind);
    }

    [Fact]
    public async Task Operators_manage_only_their_own_hours_administrators_everyones()
    {
        var (admin, me) = await SignUpAsync(App);
        var (operatorId, email) = await AddOperatorAsync(admin, App);
        using var op = await SignInAsync(App, email);

        using var foreign = await op.PutAsync($"/api/operators/{OperatorId(me)}/availability", new { lengths = new[] { 15 } });
        var own = await ApiSession.ReadAsync(await op.PutAsync($"/api/operators/{operatorId}/availability", new { lengths = new[] { 45 } }), HttpStatusCode.OK);
        var byAdmin = await admin.GetJsonAsync($"/api/operators/{operatorId}/availability");

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(45, own.GetProperty("lengths")[0].GetInt32());
        Assert.Equal(45, byAdmin.GetProperty("lengths")[0].GetInt32());
    }
}
