using System.Net;
using System.Text.Json;
using Ical.Net;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Booking.BookingKit;

namespace Parley.Tests.Booking;

/// <summary>The booker's own link: see, move, cancel, add to the calendar — and what a stale or forged link says.</summary>
public sealed class BookerLinkTests
{
    [Fact]
    public async Task A_booker_moves_their_booking_the_meeting_link_stays_and_the_operator_sees_who_and_why()
    {
        var clock = new TestClock(Now);
        await using var app = await StartAsync(clock: clock);
        var page = await PublishAsync(app);
        var (_, confirmation) = await BookAsync(app, page.Handle, Booker(Wednesday10));
        var token = Token(confirmation);
        var id = confirmation.GetProperty("id").GetString()!;
        var joinBefore = (await page.Admin.GetJsonAsync($"/api/appointments/{id}")).GetProperty("joinUrl").GetString();

        var free = await SendAsync(app, HttpMethod.Get, $"/api/booking/{token}/slots?from=2027-01-06&to=2027-01-06&timeZone=Europe/Berlin");
        var (movedStatus, moved) = await SendAsync(app, HttpMethod.Post, $"/api/booking/{token}/reschedule", new { start = Iso(Wednesday10.AddHours(4)), reason = "Train delayed" });
        var appointment = await page.Admin.GetJsonAsync($"/api/appointments/{id}");
        var slots = await SlotsAsync(app, page.Handle, "2027-01-06");
        var unseen = await page.Admin.GetJsonAsync("/api/bookings/unseen");

        // Its own time counts as free while choosing a new one.
        Assert.Contains(Wednesday10, free.Body.GetProperty("days")[0].GetProperty("slots").EnumerateArray().Select(s => s.GetDateTimeOffset()));
        Assert.Equal(HttpStatusCode.OK, movedStatus);
        Assert.Equal(Wednesday10.AddHours(4), moved.GetProperty("start").GetDateTimeOffset());
        Assert.Equal("booker", moved.GetProperty("movedBy").GetString());
        Assert.Equal(Wednesday10, moved.GetProperty("previousStart").GetDateTimeOffset());
        Assert.Equal(joinBefore, appointment.GetProperty("joinUrl").GetString()); // the same meeting link
        var entry = appointment.GetProperty("history").EnumerateArray().Last();
        Assert.Equal(("rescheduled", "booker", "Train delayed"), (entry.GetProperty("action").GetString(), entry.GetProperty("by").GetString(), entry.GetProperty("reason").GetString()));
        Assert.Contains(Wednesday10, slots); // the old time is free again
        Assert.DoesNotContain(Wednesday10.AddHours(4), slots);
        Assert.Equal(["rescheduled", "booked"], unseen.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("kind").GetString()));

        // Taken, off the page's hours, and after the start: refused, and nothing moves.
        var (otherStatus, _) = await BookAsync(app, page.Handle, Booker(Wednesday10.AddHours(2), email: "other@example.com"));
        var taken = await SendAsync(app, HttpMethod.Post, $"/api/booking/{token}/reschedule", new { start = Iso(Wednesday10.AddHours(2)) });
        var night = await SendAsync(app, HttpMethod.Post, $"/api/booking/{token}/reschedule", new { start = Iso(Wednesday10.AddHours(13)) });
        clock.Advance(TimeSpan.FromDays(2));
        var late = await SendAsync(app, HttpMethod.Post, $"/api/booking/{token}/reschedule", new { start = Iso(Wednesday10.AddDays(2)) });
        var view = await SendAsync(app, HttpMethod.Get, $"/api/booking/{token}");

        Assert.Equal(HttpStatusCode.Created, otherStatus);
        Assert.Equal(HttpStatusCode.Conflict, taken.Status);
        Assert.True(taken.Body.TryGetProperty("slots", out _));
        Assert.Equal(HttpStatusCode.BadRequest, night.Status);
        Assert.Equal(HttpStatusCode.Conflict, late.Status);
        Assert.False(view.Body.GetProperty("canChange").GetBoolean());
        Assert.Equal(Wednesday10.AddHours(4), view.Body.GetProperty("start").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_cancelled_or_business_moved_booking_explains_itself_and_a_forged_link_finds_nothing()
    {
        await using var app = await StartAsync();
        var page = await PublishAsync(app);
        var (_, mine) = await BookAsync(app, page.Handle, Booker(Wednesday10));
        var (_, theirs) = await BookAsync(app, page.Handle, Booker(Wednesday10.AddHours(1), email: "second@example.com"));

        var (cancelStatus, cancelled) = await SendAsync(app, HttpMethod.Post, $"/api/booking/{Token(mine)}/cancel", new { reason = "Feeling better" });
        var again = await SendAsync(app, HttpMethod.Post, $"/api/booking/{Token(mine)}/cancel", new { });
        var rebook = await SendAsync(app, HttpMethod.Post, $"/api/booking/{Token(mine)}/reschedule", new { start = Iso(Wednesday10.AddHours(3)) });
        var theirId = theirs.GetProperty("id").GetString()!;
        await ApiSession.ReadAsync(await page.Admin.PatchAsync($"/api/appointments/{theirId}", new { start = Iso(Wednesday10.AddHours(5)), end = Iso(Wednesday10.AddHours(5).AddMinutes(30)) }), HttpStatusCode.OK);
        var (_, movedByBusiness) = await SendAsync(app, HttpMethod.Get, $"/api/booking/{Token(theirs)}");
        var forged = await SendAsync(app, HttpMethod.Get, $"/api/booking/{Token(theirs)[..^4]}AAAA");
        var garbage = await SendAsync(app, HttpMethod.Post, "/api/booking/not-a-token/cancel", new { });
        var calendar = await page.Admin.GetJsonAsync($"/api/appointments/{mine.GetProperty("id").GetString()}");

        Assert.Equal(HttpStatusCode.OK, cancelStatus);
        Assert.Equal(("cancelled", "booker", "Feeling better"), (cancelled.GetProperty("status").GetString(), cancelled.GetProperty("cancelledBy").GetString(), cancelled.GetProperty("reason").GetString()));
        Assert.Equal(HttpStatusCode.OK, again.Status); // twice is no error
        Assert.Equal(HttpStatusCode.Conflict, rebook.Status);
        Assert.Equal("cancelled", calendar.GetProperty("status").GetString());
        Assert.Equal("booker", calendar.GetProperty("history").EnumerateArray().Last().GetProperty("by").GetString());
        Assert.Equal(("business", Wednesday10.AddHours(1), Wednesday10.AddHours(5)),
            (movedByBusiness.GetProperty("movedBy").GetString(), movedByBusiness.GetProperty("previousStart").GetDateTimeOffset(), movedByBusiness.GetProperty("start").GetDateTimeOffset()));
        Assert.True(movedByBusiness.GetProperty("canChange").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, forged.Status);
        Assert.Contains("not valid", forged.Body.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, garbage.Status);
    }

    [Fact]
    public async Task The_calendar_file_is_one_event_at_the_booked_time_with_the_meeting_link_and_is_marked_cancelled_after_a_cancellation()
    {
        await using var app = await StartAsync();
        var page = await PublishAsync(app);
        await ApiSession.ReadAsync(await page.Admin.PatchAsync("/api/account", new { pinPolicy = "defaultOn" }), HttpStatusCode.OK);
        var (_, booking) = await BookAsync(app, page.Handle, Booker(Wednesday10, length: 60));
        var id = booking.GetProperty("id").GetString()!;
        var appointment = await page.Admin.GetJsonAsync($"/api/appointments/{id}");

        using var client = app.NewSession(dashboardHeader: false);
        var icsPath = new Uri(booking.GetProperty("icsUrl").GetString()!).PathAndQuery;
        using var response = await client.GetAsync(icsPath);
        var text = await response.Content.ReadAsStringAsync();
        var parsed = Calendar.Load(text)!;
        await SendAsync(app, HttpMethod.Post, $"/api/booking/{Token(booking)}/cancel", new { });
        var afterCancel = Calendar.Load(await (await client.GetAsync(icsPath)).Content.ReadAsStringAsync())!;

        Assert.Equal("text/calendar", response.Content.Headers.ContentType?.MediaType);
        var e = Assert.Single(parsed.Events);
        Assert.Equal(id + "@parley", e.Uid);
        Assert.Equal(Wednesday10.UtcDateTime, e.DtStart!.AsUtc);
        Assert.Equal(Wednesday10.AddHours(1).UtcDateTime, e.DtEnd!.AsUtc);
        Assert.Contains(appointment.GetProperty("joinUrl").GetString()!, e.Description);
        Assert.DoesNotContain(appointment.GetProperty("pin").GetString()!, text); // the meeting code stays out of calendars
        Assert.Equal("CONFIRMED", e.Status);
        Assert.Equal("CANCELLED", Assert.Single(afterCancel.Events).Status);
    }
}
