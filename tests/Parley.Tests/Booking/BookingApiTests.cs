using System.Net;
using System.Text.Json;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Booking.BookingKit;
using static Parley.Tests.Dialogs.DialogApiTests;

namespace Parley.Tests.Booking;

public sealed class BookingApiTests
{
    [Fact]
    public async Task A_booking_makes_the_case_the_appointment_the_chat_message_the_invitation_and_tells_the_operator()
    {
        await using var app = await StartAsync(durable: true);
        var page = await PublishAsync(app);
        await ApiSession.ReadAsync(await page.Admin.PostAsync("/api/custom-fields", new { key = "topic", label = "Topic", type = "choice", choices = new[] { "Pension", "Tax" }, askWhenBooking = true }), HttpStatusCode.Created);
        await ApiSession.ReadAsync(await page.Admin.PostAsync("/api/custom-fields", new { key = "internal", label = "Internal", type = "text", required = true }), HttpStatusCode.Created);

        var (configStatus, config) = await SendAsync(app, HttpMethod.Get, $"/api/book/{page.Handle}");
        var before = await SlotsAsync(app, page.Handle, "2027-01-06");
        // Destinations of their own: the abuse guard counts messages per destination across the whole (shared) storage.
        var email = $"bea.{Guid.NewGuid():N}@example.com";
        var mobile = "+49151" + Random.Shared.Next(10_000_000, 99_999_999);
        var (status, confirmation) = await BookAsync(app, page.Handle,
            Booker(Wednesday10, email: email, phone: mobile, note: "About my pension", answers: new { topic = "Pension" }, metadata: new { crmId = "42" }), Guid.NewGuid().ToString());
        var after = await SlotsAsync(app, page.Handle, "2027-01-06");

        Assert.Equal(HttpStatusCode.OK, configStatus);
        Assert.Equal("Anna Admin", config.GetProperty("operatorName").GetString());
        Assert.Equal([30, 60], config.GetProperty("lengths").EnumerateArray().Select(l => l.GetInt32()));
        Assert.Equal(["topic"], config.GetProperty("questions").EnumerateArray().Select(q => q.GetProperty("key").GetString()));
        Assert.Contains(Wednesday10, before);
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.DoesNotContain(Wednesday10, after); // visible in the very next read
        Assert.Equal(before.Count - 1, after.Count);
        Assert.StartsWith("https://localhost/booking#", confirmation.GetProperty("manageUrl").GetString());

        var appointment = await page.Admin.GetJsonAsync($"/api/appointments/{confirmation.GetProperty("id").GetString()}");
        var caseId = appointment.GetProperty("caseId").GetString()!;
        var c = await page.Admin.GetJsonAsync($"/api/cases/{caseId}");
        Assert.Equal("bookingPage", c.GetProperty("origin").GetString());
        Assert.Equal("Bea Booker", c.GetProperty("name").GetString());
        Assert.Equal(mobile, c.GetProperty("phone").GetString());
        Assert.Equal([page.OperatorId], c.GetProperty("assignedOperatorIds").EnumerateArray().Select(o => o.GetString()));
        Assert.Equal("Pension", c.GetProperty("customFields").GetProperty("topic").GetString());
        Assert.Equal("42", c.GetProperty("metadata").GetProperty("crmId").GetString());
        Assert.Equal(Wednesday10, appointment.GetProperty("start").GetDateTimeOffset());
        Assert.True(appointment.GetProperty("invitation").GetProperty("sms").GetBoolean());
        Assert.True(appointment.GetProperty("invitation").GetProperty("email").GetBoolean());
        Assert.Equal("de", appointment.GetProperty("invitation").GetProperty("language").GetString());
        Assert.Equal("booker", appointment.GetProperty("history")[0].GetProperty("by").GetString());

        var chat = (await page.Admin.GetJsonAsync($"/api/cases/{caseId}/conversation")).EnumerateArray().Single();
        var text = chat.GetProperty("text").GetString()!;
        Assert.Contains("Bea Booker", text);
        Assert.Contains(email, text);
        Assert.Contains("About my pension", text);
        Assert.Contains("topic: Pension", text);

        var invitation = await OutboxEntryAsync(page.Admin, e => e.GetProperty("to").GetString() == email);
        // The invitation carries the booker's own links (sealed anew each time, so compared by what they open).
        var links = System.Text.RegularExpressions.Regex.Matches(invitation.GetProperty("text").GetString()!, @"https://localhost/(booking#|api/booking/)([A-Za-z0-9_-]+)(/calendar\.ics)?")
            .Select(m => m.Groups[2].Value).ToList();
        Assert.Equal(2, links.Count);
        foreach (var token in links)
        {
            var (viewStatus, view) = await SendAsync(app, HttpMethod.Get, $"/api/booking/{token}");
            Assert.Equal(HttpStatusCode.OK, viewStatus);
            Assert.Equal(Wednesday10, view.GetProperty("start").GetDateTimeOffset());
        }
        await OutboxEntryAsync(page.Admin, e => e.GetProperty("to").GetString() == mobile);
        var alert = await OutboxEntryAsync(page.Admin, e => e.GetProperty("to").GetString() == page.OperatorEmail);
        Assert.Contains("Bea Booker", alert.GetProperty("subject").GetString());

        var unseen = await page.Admin.GetJsonAsync("/api/bookings/unseen");
        await ApiSession.ReadAsync(await page.Admin.PostAsync("/api/bookings/seen"), HttpStatusCode.NoContent);
        var seen = await page.Admin.GetJsonAsync("/api/bookings/unseen");
        Assert.Equal(1, unseen.GetProperty("count").GetInt32());
        Assert.Equal(caseId, unseen.GetProperty("items")[0].GetProperty("caseId").GetString());
        Assert.Equal(0, seen.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Fifty_concurrent_bookings_of_one_slot_make_exactly_one_booking_and_the_rest_get_409_with_fresh_slots()
    {
        await using var app = await StartAsync();
        var page = await PublishAsync(app);

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            BookAsync(app, page.Handle, Booker(Wednesday10, name: $"Racer {i}", email: $"racer{i}@example.com", phone: null), Guid.NewGuid().ToString())));
        var cases = await page.Admin.GetJsonAsync("/api/cases");

        Assert.Single(results, r => r.Status == HttpStatusCode.Created);
        var refused = results.Where(r => r.Status != HttpStatusCode.Created).ToList();
        Assert.All(refused, r => Assert.Equal(HttpStatusCode.Conflict, r.Status));
        Assert.All(refused, r =>
        {
            var slots = r.Body.GetProperty("slots").EnumerateArray().Select(s => s.GetDateTimeOffset()).ToList();
            Assert.DoesNotContain(Wednesday10, slots);
            Assert.Contains(Wednesday10.AddMinutes(30), slots);
        });
        Assert.Single(cases.GetProperty("items").EnumerateArray());
        var calendar = await page.Admin.GetJsonAsync($"/api/appointments?from={Iso(Wednesday10.AddDays(-1))}&to={Iso(Wednesday10.AddDays(1))}");
        Assert.Single(calendar.EnumerateArray());
    }

    [Fact]
    public async Task Buffers_and_the_daily_cap_hold_under_concurrency()
    {
        await using var app = await StartAsync();
        var buffered = await PublishAsync(app, new { bufferAfter = 30 });
        var capped = await PublishAsync(app, new { maxPerDay = 1 });

        // 10:00 and 10:30 do not overlap, but 10:00's buffer covers 10:30: only one of them can be booked.
        var adjacent = await Task.WhenAll(
            BookAsync(app, buffered.Handle, Booker(Wednesday10, email: "a@example.com")),
            BookAsync(app, buffered.Handle, Booker(Wednesday10.AddMinutes(30), email: "b@example.com")));
        // One booking a day: 10:00 and 15:00 on the same day cannot both be booked.
        var sameDay = await Task.WhenAll(
            BookAsync(app, capped.Handle, Booker(Wednesday10, email: "c@example.com")),
            BookAsync(app, capped.Handle, Booker(Wednesday10.AddHours(5), email: "d@example.com")));
        var bufferedSlots = await SlotsAsync(app, buffered.Handle, "2027-01-06");
        var cappedSlots = await SlotsAsync(app, capped.Handle, "2027-01-06");

        Assert.Single(adjacent, r => r.Status == HttpStatusCode.Created);
        Assert.Single(adjacent, r => r.Status == HttpStatusCode.Conflict);
        Assert.Single(sameDay, r => r.Status == HttpStatusCode.Created);
        Assert.Single(sameDay, r => r.Status == HttpStatusCode.Conflict);
        var booked = adjacent.Single(r => r.Status == HttpStatusCode.Created).Body.GetProperty("start").GetDateTimeOffset();
        Assert.DoesNotContain(bufferedSlots, s => s > booked - TimeSpan.FromMinutes(60) && s < booked + TimeSpan.FromMinutes(60));
        Assert.Contains(booked + TimeSpan.FromMinutes(60), bufferedSlots);
        Assert.Empty(cappedSlots);
    }

    [Fact]
    public async Task A_retried_booking_with_the_same_idempotency_key_returns_the_first_answer_and_books_once()
    {
        await using var app = await StartAsync();
        var page = await PublishAsync(app);
        var key = Guid.NewGuid().ToString();

        var first = await BookAsync(app, page.Handle, Booker(Wednesday10), key);
        var retried = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => BookAsync(app, page.Handle, Booker(Wednesday10), key)));
        var otherBody = await BookAsync(app, page.Handle, Booker(Wednesday10.AddHours(1)), key);
        var refusedFirst = await BookAsync(app, page.Handle, Booker(Wednesday10, email: "late@example.com"), "second-key");
        var refusedAgain = await BookAsync(app, page.Handle, Booker(Wednesday10, email: "late@example.com"), "second-key");
        var cases = await page.Admin.GetJsonAsync("/api/cases");

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.All(retried, r => Assert.Equal(HttpStatusCode.Created, r.Status));
        Assert.All(retried, r => Assert.Equal(first.Body.GetProperty("id").GetString(), r.Body.GetProperty("id").GetString()));
        Assert.Equal((HttpStatusCode)422, otherBody.Status);
        Assert.Equal(HttpStatusCode.Conflict, refusedFirst.Status);
        Assert.Equal(refusedFirst.Body.GetRawText(), refusedAgain.Body.GetRawText()); // the first answer, even a refusal
        Assert.Single(cases.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Invalid_bookings_get_field_errors_and_nothing_is_written()
    {
        await using var app = await StartAsync();
        var page = await PublishAsync(app);
        await ApiSession.ReadAsync(await page.Admin.PatchAsync("/api/account", new { bookingConsentText = "I agree to the privacy notice." }), HttpStatusCode.OK);
        await ApiSession.ReadAsync(await page.Admin.PostAsync("/api/custom-fields", new { key = "topic", label = "Topic", type = "text", askWhenBooking = true }), HttpStatusCode.Created);

        async Task<HashSet<string>> ErrorsAsync(object body, HttpStatusCode expected = HttpStatusCode.BadRequest)
        {
            var (status, problem) = await BookAsync(app, page.Handle, body);
            Assert.Equal(expected, status);
            return problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToHashSet();
        }

        var past = await ErrorsAsync(Booker(Now.AddDays(-1)));
        var night = await ErrorsAsync(Booker(Wednesday10.AddHours(12)));
        var offGrid = await ErrorsAsync(Booker(Wednesday10.AddMinutes(10)));
        var tooLong = await ErrorsAsync(Booker(Wednesday10, name: new string('x', 51), note: new string('y', 1001)));
        var noContact = await ErrorsAsync(Booker(Wednesday10, email: null, phone: null));
        var badContact = await ErrorsAsync(Booker(Wednesday10, email: "not-an-address", phone: "12"));
        var length = await ErrorsAsync(Booker(Wednesday10, length: 45));
        var html = await ErrorsAsync(Booker(Wednesday10, name: "<b>Bea</b>", note: "<script>alert(1)</script>", answers: new { topic = "<img src=x onerror=alert(1)>" }));
        var noConsent = await ErrorsAsync(new { start = Iso(Wednesday10), length = 30, name = "Bea", email = "bea@example.com", consent = false });
        var zone = await ErrorsAsync(Booker(Wednesday10, timeZone: "Mars/Olympus", language: "xx"));
        var metadata = await ErrorsAsync(Booker(Wednesday10, metadata: new Dictionary<string, object> { ["bad key!"] = "x" }));
        var (unknownStatus, _) = await BookAsync(app, "no-such-page-here", Booker(Wednesday10));
        var cases = await page.Admin.GetJsonAsync("/api/cases");

        Assert.Contains("start", past);
        Assert.Contains("start", night);
        Assert.Contains("start", offGrid);
        Assert.Superset(new HashSet<string> { "name", "note" }, tooLong);
        Assert.Contains("email", noContact);
        Assert.Superset(new HashSet<string> { "email", "phone" }, badContact);
        Assert.Contains("length", length);
        Assert.Superset(new HashSet<string> { "name", "note", "answers.topic" }, html);
        Assert.Contains("consent", noConsent);
        Assert.Superset(new HashSet<string> { "timeZone", "language" }, zone);
        Assert.Contains("metadata", metadata);
        Assert.Equal(HttpStatusCode.NotFound, unknownStatus);
        Assert.Empty(cases.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_booker_in_another_zone_sees_the_operators_hours_on_their_own_days_across_a_DST_change()
    {
        await using var app = await StartAsync();
        var page = await PublishAsync(app);

        // 15 March 2027: New York is on summer time since the 14th (UTC-4), Berlin not until the 28th (UTC+1).
        var newYork = await SlotsAsync(app, page.Handle, "2027-03-15", timeZone: "America/New_York");
        var (_, body) = await SendAsync(app, HttpMethod.Get, $"/api/book/{page.Handle}/slots?length=30&from=2027-03-15&to=2027-03-15&timeZone=America/New_York");

        Assert.Equal(new DateTimeOffset(2027, 3, 15, 8, 0, 0, TimeSpan.Zero), newYork[0]); // 09:00 Berlin = 04:00 New York
        Assert.Equal(new DateTimeOffset(2027, 3, 15, 15, 30, 0, TimeSpan.Zero), newYork[^1]); // 16:30 Berlin = 11:30 New York
        Assert.Equal(16, newYork.Count);
        Assert.Equal("2027-03-15", Assert.Single(body.GetProperty("days").EnumerateArray()).GetProperty("date").GetString());
    }
}
