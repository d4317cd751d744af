using Azure.Data.Tables;
using System.Net;
using System.Text.Json;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Cases.CaseApiTests;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Cases;

public sealed class AppointmentApiTests : AppTest
{
    /// <summary>The app's "now"; the test day is 30 days later, a Thursday with no DST change in Berlin.</summary>
    private static readonly DateTimeOffset Now = new(2027, 1, 5, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTime Day = new(2027, 2, 4, 0, 0, 0, DateTimeKind.Unspecified);

    protected override TestClock Clock { get; } = new(Now);

    /// <summary>A wall-clock time in Berlin on the test day (no offset: the zone decides).</summary>
    private static string At(int hour, int minute = 0) => Day.AddHours(hour).AddMinutes(minute).ToString("yyyy-MM-dd'T'HH:mm");

    [Fact]
    public async Task Booking_records_the_invitation_request_a_join_link_and_the_history()
    {
        var (admin, _) = await SignUpAsync(App);
        var c = await CreateAsync(admin, new { name = "Anna", email = "anna@example.com" });

        var appointment = await BookAsync(admin, Id(c), new { start = At(10), end = At(11), timeZone = "Europe/Berlin", phone = "+49 170 1234567" });
        var refreshed = await admin.GetJsonAsync($"/api/cases/{Id(c)}");

        Assert.Equal("individual", appointment.GetProperty("type").GetString());
        Assert.Equal("scheduled", appointment.GetProperty("status").GetString());
        Assert.True(appointment.GetProperty("invitation").GetProperty("email").GetBoolean());
        Assert.True(appointment.GetProperty("invitation").GetProperty("sms").GetBoolean()); // the phone given now goes to the case
        Assert.Equal("+491701234567", refreshed.GetProperty("phone").GetString());
        Assert.Equal("en", appointment.GetProperty("invitation").GetProperty("language").GetString());
        var joinUrl = appointment.GetProperty("joinUrl").GetString()!;
        Assert.Matches("^https://localhost/meet#[A-Za-z0-9_-]{43}$", joinUrl);
        Assert.False(appointment.GetProperty("pinProtected").GetBoolean());
        Assert.Equal("scheduled", appointment.GetProperty("history")[0].GetProperty("action").GetString());
        Assert.NotEqual(JsonValueKind.Null, refreshed.GetProperty("nextAppointmentAt").ValueKind);
        Assert.Equal(TimeZoneInfo.ConvertTimeToUtc(Day.AddHours(10), TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")), appointment.GetProperty("start").GetDateTimeOffset().UtcDateTime);
    }

    [Fact]
    public async Task The_pin_follows_the_account_policy()
    {
        var (admin, _) = await SignUpAsync(App);
        var c = await CreateAsync(admin, new { name = "PIN" });

        var optional = await BookAsync(admin, Id(c), new { start = At(8), end = At(9), pinProtected = true });
        await ApiSession.ReadAsync(await admin.PatchAsync("/api/account", new { pinPolicy = "mandatory" }), HttpStatusCode.OK);
        using var refused = await admin.PostAsync($"/api/cases/{Id(c)}/appointments", new { start = At(9), end = At(10), pinProtected = false });
        var mandatory = await BookAsync(admin, Id(c), new { start = At(9), end = At(10) });

        Assert.Matches("^[0-9]{6}$", optional.GetProperty("pin").GetString()!);
        Assert.Contains("requires a PIN", (await ApiSession.ReadAsync(refused, HttpStatusCode.BadRequest)).GetProperty("errors").GetProperty("pinProtected")[0].GetString());
        Assert.True(mandatory.GetProperty("pinProtected").GetBoolean());
        Assert.Matches("^[0-9]{6}$", mandatory.GetProperty("pin").GetString()!);
    }

    [Fact]
    public async Task Invalid_appointments_are_refused_field_by_field()
    {
        var (admin, _) = await SignUpAsync(App);
        var c = await CreateAsync(admin, new { name = "No contact" });

        var endBeforeStart = await ErrorsAsync(admin, Id(c), new { start = At(11), end = At(10) });
        var tooLong = await ErrorsAsync(admin, Id(c), new { start = At(1), end = At(14) });
        var past = await ErrorsAsync(admin, Id(c), new { start = "2020-01-01T10:00", end = "2020-01-01T11:00" });
        var noChannel = await ErrorsAsync(admin, Id(c), new { start = At(10), end = At(11), invitation = new { sms = true, email = true, language = "xx" } });
        var badZone = await ErrorsAsync(admin, Id(c), new { start = At(10), end = At(11), timeZone = "Berlin" });
        var badType = await ErrorsAsync(admin, Id(c), new { type = "webinar", start = At(10), end = At(11) });

        Assert.Contains("after the start", endBeforeStart.GetProperty("end")[0].GetString());
        Assert.Contains("at most 12 hours", tooLong.GetProperty("end")[0].GetString());
        Assert.Contains("future", past.GetProperty("start")[0].GetString());
        Assert.Contains("mobile number", noChannel.GetProperty("invitation.sms")[0].GetString());
        Assert.Contains("e-mail address", noChannel.GetProperty("invitation.email")[0].GetString());
        Assert.True(noChannel.TryGetProperty("invitation.language", out _));
        Assert.True(badZone.TryGetProperty("timeZone", out _));
        Assert.True(badType.TryGetProperty("type", out _));
    }

    [Fact]
    public async Task Appointments_start_at_most_two_years_ahead_of_the_clock()
    {
        var (admin, _) = await SignUpAsync(App);
        var c = await CreateAsync(admin, new { name = "Far ahead" });

        var year9999 = await ErrorsAsync(admin, Id(c), new { start = "9999-12-31T10:00", end = "9999-12-31T11:00", timeZone = "UTC" });
        var justBeyond = await ErrorsAsync(admin, Id(c), new { start = "2029-01-06T10:00", end = "2029-01-06T11:00", timeZone = "UTC" }); // now + 731 days
        var justWithin = await BookAsync(admin, Id(c), new { start = "2029-01-03T10:00", end = "2029-01-03T11:00", timeZone = "UTC" });
        using var movedTooFar = await admin.PatchAsync($"/api/appointments/{justWithin.GetProperty("id").GetString()}", new { start = "9999-01-01T10:00", end = "9999-01-01T11:00" });

        Assert.Contains("within the next 2 years", year9999.GetProperty("start")[0].GetString());
        Assert.Contains("within the next 2 years", justBeyond.GetProperty("start")[0].GetString());
        Assert.Contains("within the next 2 years", (await ApiSession.ReadAsync(movedTooFar, HttpStatusCode.BadRequest)).GetProperty("errors").GetProperty("start")[0].GetString());
    }

    [Fact]
    public async Task A_time_in_the_spring_forward_gap_is_refused_by_the_api()
    {
        var (admin, _) = await SignUpAsync(App);
        var c = await CreateAsync(admin, new { name = "DST" });

        var errors = await ErrorsAsync(admin, Id(c), new { start = "2027-03-28T02:30", end = "2027-03-28T04:00", timeZone = "Europe/Berlin" });

        Assert.Contains("does not exist in Europe/Berlin", errors.GetProperty("start")[0].GetString());
    }

    [Fact]
    public async Task An_operator_cannot_be_booked_twice_at_overlapping_times()
    {
        var (admin, _) = await SignUpAsync(App);
        var (otherId, _) = await AddOperatorAsync(admin, App);
        var c = await CreateAsync(admin, new { name = "Overlap" });
        await BookAsync(admin, Id(c), new { start = At(10), end = At(11) });

        using var overlapping = await admin.PostAsync($"/api/cases/{Id(c)}/appointments", new { start = At(10, 30), end = At(11, 30) });
        var adjacent = await BookAsync(admin, Id(c), new { start = At(11), end = At(11, 45) });
        var otherOperator = await BookAsync(admin, Id(c), new { start = At(10), end = At(11), operatorIds = new[] { otherId } });

        var problem = await ApiSession.ReadAsync(overlapping, HttpStatusCode.Conflict);
        Assert.Equal("application/problem+json", overlapping.Content.Headers.ContentType?.MediaType);
        Assert.Contains("overlaps another appointment", problem.GetProperty("errors").GetProperty("start")[0].GetString());
        Assert.Equal("scheduled", adjacent.GetProperty("status").GetString());
        Assert.Equal("scheduled", otherOperator.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Fifty_concurrent_bookings_of_one_operator_at_overlapping_times_let_exactly_one_through()
    {
        var (admin, me) = await SignUpAsync(App);
        var operatorId = me.GetProperty("operator").GetProperty("id").GetString();
        var c = await CreateAsync(admin, new { name = "Race" });

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            admin.PostAsync($"/api/cases/{Id(c)}/appointments", new { start = At(14, i % 30), end = At(15, i % 30) })));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(49, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        var calendar = await admin.GetJsonAsync($"/api/appointments?from={Uri.EscapeDataString(Day.AddHours(12).ToString("O") + "Z")}&to={Uri.EscapeDataString(Day.AddHours(18).ToString("O") + "Z")}&operatorId={operatorId}");
        Assert.Equal(1, calendar.GetArrayLength());
        Assert.Single((await admin.GetJsonAsync($"/api/cases/{Id(c)}/appointments")).EnumerateArray());
    }

    [Fact]
    public async Task Rescheduling_moves_the_claim_and_cancelling_frees_it()
    {
        var (admin, _) = await SignUpAsync(App);
        var c = await CreateAsync(admin, new { name = "Move" });
        var appointment = await BookAsync(admin, Id(c), new { start = At(10), end = At(11) });
        var id = appointment.GetProperty("id").GetString();

        using var moved = await admin.PatchAsync($"/api/appointments/{id}", new { start = At(12), end = At(13) });
        var rescheduled = await ApiSession.ReadAsync(moved, HttpStatusCode.OK);
        var takesOldSlot = await BookAsync(admin, Id(c), new { start = At(10), end = At(11) });
        using var clashNew = await admin.PostAsync($"/api/cases/{Id(c)}/appointments", new { start = At(12, 30), end = At(13, 30) });
        using var onlyLonger = await admin.PatchAsync($"/api/appointments/{id}", new { end = At(13, 30) });

        Assert.Equal(appointment.GetProperty("joinUrl").GetString(), rescheduled.GetProperty("joinUrl").GetString()); // the link survives a reschedule
        Assert.Equal("rescheduled", rescheduled.GetProperty("history")[1].GetProperty("action").GetString());
        Assert.Equal("scheduled", takesOldSlot.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, clashNew.StatusCode);
        Assert.Equal(HttpStatusCode.OK, onlyLonger.StatusCode);

        using var cancel = await admin.PostAsync($"/api/appointments/{id}/cancel", new { reason = "Customer is ill" });
        var cancelled = await ApiSession.ReadAsync(cancel, HttpStatusCode.OK);
        var freed = await BookAsync(admin, Id(c), new { start = At(12, 30), end = At(13, 30) });
        using var moveCancelled = await admin.PatchAsync($"/api/appointments/{id}", new { start = At(16), end = At(17) });

        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Equal("Customer is ill", cancelled.GetProperty("history").EnumerateArray().Last().GetProperty("reason").GetString());
        Assert.Equal("scheduled", freed.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, moveCancelled.StatusCode);
    }

    [Fact]
    public async Task Resending_invitations_is_recorded_on_the_history()
    {
        var (admin, _) = await SignUpAsync(App);
        var c = await CreateAsync(admin, new { name = "Resend", email = "r@example.com" });
        var appointment = await BookAsync(admin, Id(c), new { start = At(10), end = At(11) });

        using var resend = await admin.PostAsync($"/api/appointments/{appointment.GetProperty("id").GetString()}/invitations", new { email = true });
        using var sms = await admin.PostAsync($"/api/appointments/{appointment.GetProperty("id").GetString()}/invitations", new { sms = true });

        var body = await ApiSession.ReadAsync(resend, HttpStatusCode.Accepted);
        Assert.Equal("invitationsResent", body.GetProperty("history").EnumerateArray().Last().GetProperty("action").GetString());
        Assert.True((await ApiSession.ReadAsync(sms, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("invitation.sms", out _));
    }

    [Fact]
    public async Task A_case_and_its_appointment_are_created_together_or_not_at_all()
    {
        var (admin, _) = await SignUpAsync(App);

        using var created = await admin.PostAsync("/api/appointments", new
        {
            @case = new { name = "Bernd Beispiel", email = "bernd@example.com" },
            type = "individual", start = At(9), end = At(10), invitation = new { language = "de" },
        });
        var body = await ApiSession.ReadAsync(created, HttpStatusCode.Created);
        using var clash = await admin.PostAsync("/api/appointments", new { @case = new { name = "Second" }, start = At(9, 30), end = At(10, 30) });
        using var invalid = await admin.PostAsync("/api/appointments", new { @case = new { name = "" }, start = At(12), end = At(11) });
        var third = await CreateAsync(admin, new { name = "Third" });

        Assert.Equal(1, body.GetProperty("case").GetProperty("number").GetInt32());
        Assert.Equal("de", body.GetProperty("appointment").GetProperty("invitation").GetProperty("language").GetString());
        Assert.True(body.GetProperty("appointment").GetProperty("invitation").GetProperty("email").GetBoolean());
        Assert.Equal(HttpStatusCode.Conflict, clash.StatusCode);
        var errors = (await ApiSession.ReadAsync(invalid, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("case.name", out _));
        Assert.True(errors.TryGetProperty("end", out _));
        Assert.Equal(2, third.GetProperty("number").GetInt32()); // the refused case used no number
        Assert.Equal(2, (await admin.GetJsonAsync("/api/cases")).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Group_appointments_send_nothing_automatically_and_expose_the_link()
    {
        var (admin, _) = await SignUpAsync(App);
        var c = await CreateAsync(admin, new { name = "Team call", email = "a@example.com", phone = "+4917012345678" });

        var group = await BookAsync(admin, Id(c), new { type = "group", start = At(15), end = At(16) });

        Assert.Equal("group", group.GetProperty("type").GetString());
        Assert.False(group.GetProperty("invitation").GetProperty("sms").GetBoolean());
        Assert.False(group.GetProperty("invitation").GetProperty("email").GetBoolean());
        Assert.Contains("/meet#", group.GetProperty("joinUrl").GetString());
    }

    [Fact]
    public async Task The_calendar_returns_appointments_overlapping_the_range_with_current_case_names()
    {
        var (admin, me) = await SignUpAsync(App);
        var c = await CreateAsync(admin, new { name = "Before rename" });
        await BookAsync(admin, Id(c), new { start = At(9), end = At(10) });
        await BookAsync(admin, Id(c), new { start = At(20), end = At(21) });
        await admin.PatchAsync($"/api/cases/{Id(c)}", new { name = "After rename" });
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var from = TimeZoneInfo.ConvertTimeToUtc(Day.AddHours(9).AddMinutes(30), berlin).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        var to = TimeZoneInfo.ConvertTimeToUtc(Day.AddHours(12), berlin).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");

        var entries = await admin.GetJsonAsync($"/api/appointments?from={from}&to={to}");
        using var bad = await admin.GetAsync("/api/appointments?from=yesterday");

        var entry = Assert.Single(entries.EnumerateArray());
        Assert.Equal("After rename", entry.GetProperty("caseName").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Custom_fields_are_validated_and_an_archived_field_keeps_its_values()
    {
        var (admin, _) = await SignUpAsync(App);
        var (_, email) = await AddOperatorAsync(admin, App);
        using var op = await SignInAsync(App, email);
        await ApiSession.ReadAsync(await admin.PostAsync("/api/custom-fields", new { key = "tier", label = "Subscription tier", type = "choice", choices = new[] { "Basic", "Pro" }, required = true }), HttpStatusCode.Created);
        await ApiSession.ReadAsync(await admin.PostAsync("/api/custom-fields", new { key = "since", label = "Customer since", type = "date" }), HttpStatusCode.Created);

        using var missing = await admin.PostAsync("/api/cases", new { name = "No tier" });
        using var wrong = await admin.PostAsync("/api/cases", new { name = "Wrong", customFields = new { tier = "Gold", since = "yesterday", unknown = "x" } });
        var ok = await CreateAsync(admin, new { name = "Pro customer", customFields = new { tier = "Pro", since = "2024-05-01" } });
        using var byOperator = await op.PostAsync("/api/custom-fields", new { key = "x", label = "X", type = "text" });
        using var archive = await admin.DeleteAsync("/api/custom-fields/tier");
        var hidden = await admin.GetJsonAsync($"/api/cases/{Id(ok)}");
        await ApiSession.ReadAsync(await admin.PostAsync("/api/custom-fields", new { key = "tier", label = "Tier", type = "text" }), HttpStatusCode.Created);
        var back = await admin.GetJsonAsync($"/api/cases/{Id(ok)}");

        Assert.True((await ApiSession.ReadAsync(missing, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("customFields.tier", out _));
        var errors = (await ApiSession.ReadAsync(wrong, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Contains("Basic, Pro", errors.GetProperty("customFields.tier")[0].GetString());
        Assert.Contains("YYYY-MM-DD", errors.GetProperty("customFields.since")[0].GetString());
        Assert.True(errors.TryGetProperty("customFields.unknown", out _));
        Assert.Equal("Pro", ok.GetProperty("customFields").GetProperty("tier").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, byOperator.StatusCode);
        Assert.Contains("stay stored", (await ApiSession.ReadAsync(archive, HttpStatusCode.OK)).GetProperty("message").GetString());
        Assert.False(hidden.GetProperty("customFields").TryGetProperty("tier", out _));
        Assert.Equal("Pro", back.GetProperty("customFields").GetProperty("tier").GetString());
    }

    [Fact]
    public async Task Deleting_a_case_is_refused_while_it_has_an_upcoming_appointment_and_otherwise_takes_its_appointments_along()
    {
        var (admin, me) = await SignUpAsync(App);
        var c = await CreateAsync(admin, new { name = "To be deleted" });
        var appointment = await BookAsync(admin, Id(c), new { start = At(10), end = At(11) });
        var id = appointment.GetProperty("id").GetString()!;

        using var refused = await admin.DeleteAsync($"/api/cases/{Id(c)}");
        await ApiSession.ReadAsync(await admin.PostAsync($"/api/appointments/{id}/cancel", new { }), HttpStatusCode.OK);
        using var deleted = await admin.DeleteAsync($"/api/cases/{Id(c)}");

        Assert.Contains("Cancel them", (await ApiSession.ReadAsync(refused, HttpStatusCode.Conflict)).GetProperty("errors").GetProperty("appointments")[0].GetString());
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/appointments/{id}")).StatusCode);
        var accountId = me.GetProperty("account").GetProperty("id").GetString()!;
        var left = new List<string>();
        await foreach (var row in App.Storage.GetTableClient("Cases").QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {accountId}")))
        {
            left.Add(row.RowKey);
        }
        Assert.DoesNotContain(left, k => k.Contains(id, StringComparison.Ordinal) || k.Contains(Id(c), StringComparison.Ordinal));
    }

    private static async Task<JsonElement> BookAsync(ApiSession session, string caseId, object body)
    {
        using var response = await session.PostAsync($"/api/cases/{caseId}/appointments", body);
        return await ApiSession.ReadAsync(response, HttpStatusCode.Created);
    }

    private static async Task<JsonElement> ErrorsAsync(ApiSession session, string caseId, object body)
    {
        using var response = await session.PostAsync($"/api/cases/{caseId}/appointments", body);
        return (await ApiSession.ReadAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
    }
}
