using System.Net;
using System.Text.Json;
using Parley.Functions.Conversations;
using Microsoft.Extensions.DependencyInjection;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Cases.CaseApiTests;
using static Parley.Tests.Infrastructure.Accounts;
using static Parley.Tests.Meetings.MeetingKit;

namespace Parley.Tests.Meetings;

/// <summary>The meeting room behind every invitation link, both sides, through the API (the pages are in Browser/MeetingPageTests).</summary>
public sealed class MeetingRoomTests : AppTest
{
    private static readonly DateTimeOffset Now = new(2027, 1, 5, 8, 0, 0, TimeSpan.Zero);

    protected override TestClock Clock { get; } = new(Now);

    [Fact]
    public async Task A_customer_joins_waits_is_admitted_and_chats_with_the_operator()
    {
        var (admin, _) = await SignUpAsync(App);
        var c = await CreateAsync(admin, new { name = "Anna Kunde" });
        var (appointment, token) = await ScheduleAsync(admin, Id(c), Now.AddMinutes(5), pin: false);
        var customer = Customer(App);

        using var introResponse = await customer.PostAsync("/api/meet/intro", new { token });
        var intro = await ApiSession.ReadAsync(introResponse, HttpStatusCode.OK);
        var (session, room) = await JoinOkAsync(customer, token);

        Assert.Equal("Kanzlei Beispiel", intro.GetProperty("businessName").GetString());
        Assert.False(intro.GetProperty("pinRequired").GetBoolean());
        Assert.Equal("waiting", State(room));
        Assert.Equal("Anna Kunde", room.GetProperty("caseName").GetString());
        Assert.Equal("videoAndChat", room.GetProperty("mode").GetString());
        Assert.False(room.TryGetProperty("pin", out _));

        // Waiting: no chat yet, and no media credentials.
        var early = await CallAsync(customer, session, "/api/meet/chat", new { clientId = "m1", text = "Hallo?" }, HttpStatusCode.Conflict);
        Assert.Contains("not let you in yet", early.GetRawText());
        await CallAsync(customer, session, "/api/meet/media", null, HttpStatusCode.Conflict);

        var (opSession, opRoom) = await OperatorJoinAsync(admin, appointment.GetProperty("id").GetString()!);
        var waiting = opRoom.GetProperty("participants").EnumerateArray().Single(p => p.GetProperty("role").GetString() == "customer");
        Assert.False(waiting.GetProperty("admitted").GetBoolean());
        var participantId = waiting.GetProperty("id").GetString()!;

        await CallAsync(admin, opSession, "/api/meet/admit", new { participantId });
        var admitted = await WaitForEventAsync(customer, session, "admitted");
        Assert.Equal(participantId, admitted.GetProperty("data").GetProperty("id").GetString());
        Assert.Equal("inMeeting", State(await RoomAsync(customer, session)));

        var fromCustomer = await CallAsync(customer, session, "/api/meet/chat", new { clientId = "m1", text = "Guten Tag!\nIch bin da." });
        var seenByOperator = await WaitForEventAsync(admin, opSession, "chat");
        await CallAsync(admin, opSession, "/api/meet/chat", new { clientId = "o1", text = "Willkommen, Frau Kunde." });
        var seenByCustomer = await WaitForEventAsync(customer, session, "chat", e => e.GetProperty("data").GetProperty("author").GetString() == "operator");

        Assert.Equal("Guten Tag!\nIch bin da.", seenByOperator.GetProperty("data").GetProperty("text").GetString());
        Assert.Equal(fromCustomer.GetProperty("id").GetString(), seenByOperator.GetProperty("data").GetProperty("id").GetString());
        Assert.Equal("Willkommen, Frau Kunde.", seenByCustomer.GetProperty("data").GetProperty("text").GetString());
        Assert.Equal("Anna Admin", seenByCustomer.GetProperty("data").GetProperty("authorName").GetString());

        // Media: the admitted customer gets the p2p configuration.
        var credentials = await CallAsync(customer, session, "/api/meet/media");
        Assert.Equal("p2p", credentials.GetProperty("provider").GetString());
        Assert.Equal(JsonValueKind.Array, credentials.GetProperty("iceServers").ValueKind);
    }

    [Fact]
    public async Task Chat_messages_are_stored_in_the_case_conversation_once_per_client_message_id()
    {
        var (admin, _) = await SignUpAsync(App);
        var c = await CreateAsync(admin, new { name = "Ben" });
        var (appointment, token) = await ScheduleAsync(admin, Id(c), Now.AddMinutes(5), pin: false);
        var customer = Customer(App);
        var (session, _) = await JoinOkAsync(customer, token);
        var (opSession, opRoom) = await OperatorJoinAsync(admin, appointment.GetProperty("id").GetString()!);
        await CallAsync(admin, opSession, "/api/meet/admit", new { participantId = opRoom.GetProperty("participants").EnumerateArray().Single(p => !p.GetProperty("admitted").GetBoolean()).GetProperty("id").GetString() });

        var first = await CallAsync(customer, session, "/api/meet/chat", new { clientId = "retry-1", text = "<b>once</b>" });
        var retried = await CallAsync(customer, session, "/api/meet/chat", new { clientId = "retry-1", text = "<b>once</b>" });
        var accountId = (await admin.GetJsonAsync("/api/me")).GetProperty("account").GetProperty("id").GetString()!;
        var stored = await App.Services.GetRequiredService<ConversationStore>().ListAsync(accountId, Id(c), 0, 100, CancellationToken.None);

        Assert.Equal(first.GetProperty("id").GetString(), retried.GetProperty("id").GetString());
        var message = Assert.Single(stored);
        Assert.Equal("<b>once</b>", message.Text); // stored as typed; the pages show it as text
        Assert.Equal(MessageAuthor.Customer, message.Author);
        Assert.Equal("meeting", message.Source);
        Assert.Equal(appointment.GetProperty("id").GetString(), message.AppointmentId);
        var shown = Assert.Single((await admin.GetJsonAsync($"/api/cases/{Id(c)}/conversation")).EnumerateArray());
        Assert.Equal("<b>once</b>", shown.GetProperty("text").GetString());
        Assert.Equal("customer", shown.GetProperty("author").GetString());

        var invalid = await CallAsync(customer, session, "/api/meet/chat", new { clientId = "bad id!", text = "" }, HttpStatusCode.BadRequest);
        Assert.True(invalid.GetProperty("errors").TryGetProperty("text", out _));
        Assert.True(invalid.GetProperty("errors").TryGetProperty("clientId", out _));
    }

    [Fact]
    public async Task A_protected_meeting_shows_only_the_business_before_the_code_and_lets_in_with_it()
    {
        var (admin, _) = await SignUpAsync(App);
        var c = await CreateAsync(admin, new { name = "Carla Geheim" });
        var (appointment, token) = await ScheduleAsync(admin, Id(c), Now.AddMinutes(5), pin: true, language: "fr");
        var customer = Customer(App);

        using var introResponse = await customer.PostAsync("/api/meet/intro", new { token });
        var intro = await ApiSession.ReadAsync(introResponse, HttpStatusCode.OK);
        using var withoutCode = await JoinAsync(customer, token);
        var (_, room) = await JoinOkAsync(customer, token, Pin(appointment));

        Assert.Equal(["businessName", "language", "pinRequired", "nameRequired"], intro.EnumerateObject().Select(p => p.Name));
        Assert.Equal("fr", intro.GetProperty("language").GetString());
        Assert.True(intro.GetProperty("pinRequired").GetBoolean());
        Assert.DoesNotContain("Carla", intro.GetRawText());
        Assert.Equal(HttpStatusCode.Unauthorized, withoutCode.StatusCode);
        Assert.Equal("Carla Geheim", room.GetProperty("caseName").GetString());
        Assert.Equal("fr", room.GetProperty("language").GetString());
    }

    [Fact]
    public async Task The_case_is_online_while_the_page_polls_and_away_after_the_beacon_or_30_silent_seconds()
    {
        var (admin, _) = await SignUpAsync(App);
        var c = await CreateAsync(admin, new { name = "Dora" });
        var (_, token) = await ScheduleAsync(admin, Id(c), Now.AddMinutes(5), pin: false);
        var customer = Customer(App);

        Assert.Equal("away", (await admin.GetJsonAsync($"/api/cases/{Id(c)}")).GetProperty("customerStatus").GetString());
        var (session, _) = await JoinOkAsync(customer, token);
        var online = await admin.GetJsonAsync($"/api/cases/{Id(c)}");
        var listed = (await admin.GetJsonAsync("/api/cases")).GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetString() == Id(c));
        var presence = await admin.GetJsonAsync("/api/presence");

        Assert.Equal("online", online.GetProperty("customerStatus").GetString());
        Assert.Equal("online", listed.GetProperty("customerStatus").GetString());
        Assert.NotNull(listed.GetProperty("waitingAppointmentId").GetString());
        Assert.Equal("Dora", presence.GetProperty("online")[0].GetProperty("waiting")[0].GetProperty("name").GetString());

        // The page-hide beacon: text/plain, session in the body.
        using (var beacon = new HttpRequestMessage(HttpMethod.Post, "/api/meet/leave") { Content = new StringContent(JsonSerializer.Serialize(new { session }), System.Text.Encoding.UTF8, "text/plain") })
        {
            using var left = await customer.Client.SendAsync(beacon);
            Assert.Equal(HttpStatusCode.NoContent, left.StatusCode);
        }
        Assert.Equal("away", (await admin.GetJsonAsync($"/api/cases/{Id(c)}")).GetProperty("customerStatus").GetString());

        // Back (a reload polls again), then the page vanishes without a beacon: Away once 30 s pass without a poll.
        await RoomAsync(customer, session);
        Assert.Equal("online", (await admin.GetJsonAsync($"/api/cases/{Id(c)}")).GetProperty("customerStatus").GetString());
        Clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal("online", (await admin.GetJsonAsync($"/api/cases/{Id(c)}")).GetProperty("customerStatus").GetString());
        Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("away", (await admin.GetJsonAsync($"/api/cases/{Id(c)}")).GetProperty("customerStatus").GetString());
        Assert.Empty((await admin.GetJsonAsync("/api/presence")).GetProperty("online").EnumerateArray());
    }

    [Fact]
    public async Task The_same_link_shows_not_yet_open_moved_cancelled_and_ended()
    {
        var (admin, _) = await SignUpAsync(App);
        await ApiSession.ReadAsync(await admin.PatchAsync("/api/account", new { contactLine = "Rufen Sie uns an: +49 30 1234567", meetingOpensMinutesBefore = 15 }), HttpStatusCode.OK);
        var c = await CreateAsync(admin, new { name = "Emil" });
        var (later, laterToken) = await ScheduleAsync(admin, Id(c), Now.AddHours(2), pin: false);
        var (soon, soonToken) = await ScheduleAsync(admin, Id(c), Now.AddMinutes(14), pin: false);
        var (cancelled, cancelledToken) = await ScheduleAsync(admin, Id(c), Now.AddDays(1), pin: false);
        var customer = Customer(App);

        var (laterSession, laterRoom) = await JoinOkAsync(customer, laterToken);
        Assert.Equal("notYetOpen", State(laterRoom));
        Assert.Equal(Now.AddHours(2).AddMinutes(-15), laterRoom.GetProperty("opensAt").GetDateTimeOffset());
        Assert.Equal("waiting", State((await JoinOkAsync(customer, soonToken)).Room)); // opens 15 minutes before

        using (var moved = await admin.PatchAsync($"/api/appointments/{later.GetProperty("id").GetString()}", new { start = "2027-01-06T09:00", end = "2027-01-06T09:30", timeZone = "UTC" }))
        {
            await ApiSession.ReadAsync(moved, HttpStatusCode.OK);
        }
        var movedRoom = await RoomAsync(customer, laterSession);
        Assert.Equal("moved", State(movedRoom));
        Assert.Equal(new DateTimeOffset(2027, 1, 6, 9, 0, 0, TimeSpan.Zero), movedRoom.GetProperty("start").GetDateTimeOffset());
        Assert.Equal(Now.AddHours(2), movedRoom.GetProperty("movedFrom").GetDateTimeOffset());
        Assert.Equal("moved", State((await JoinOkAsync(Customer(App), laterToken)).Room)); // the link still works after the move

        using (var cancel = await admin.PostAsync($"/api/appointments/{cancelled.GetProperty("id").GetString()}/cancel", new { reason = "Krank" }))
        {
            await ApiSession.ReadAsync(cancel, HttpStatusCode.OK);
        }
        var cancelledRoom = (await JoinOkAsync(customer, cancelledToken)).Room;
        Assert.Equal("cancelled", State(cancelledRoom));
        Assert.Equal("Rufen Sie uns an: +49 30 1234567", cancelledRoom.GetProperty("contactLine").GetString());

        var (opSession, _) = await OperatorJoinAsync(admin, soon.GetProperty("id").GetString()!);
        var (soonSession, _) = await JoinOkAsync(Customer(App), soonToken);
        using (var end = await SendAsync(admin, HttpMethod.Post, "/api/meet/end", opSession, new { }))
        {
            Assert.Equal(HttpStatusCode.NoContent, end.StatusCode);
        }
        Assert.Equal("ended", State(await RoomAsync(customer, soonSession)));
        Assert.Equal("ended", (await EventsAsync(customer, soonSession)).GetProperty("state").GetString());
        Assert.Equal("ended", State((await JoinOkAsync(Customer(App), soonToken)).Room));
        await CallAsync(admin, opSession, "/api/meet/chat", new { clientId = "late", text = "Hallo?" }, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Location_is_asked_only_where_the_account_allows_it_and_lands_on_the_case()
    {
        var (admin, _) = await SignUpAsync(App);
        var c = await CreateAsync(admin, new { name = "Fritz" });
        var (appointment, token) = await ScheduleAsync(admin, Id(c), Now.AddMinutes(5), pin: false);
        var customer = Customer(App);
        var (session, _) = await JoinOkAsync(customer, token);
        var (opSession, opRoom) = await OperatorJoinAsync(admin, appointment.GetProperty("id").GetString()!);
        var participantId = opRoom.GetProperty("participants").EnumerateArray().Single(p => !p.GetProperty("admitted").GetBoolean()).GetProperty("id").GetString();
        await CallAsync(admin, opSession, "/api/meet/admit", new { participantId });

        var off = await CallAsync(admin, opSession, "/api/meet/request-location", null, HttpStatusCode.Conflict);
        Assert.Contains("switched off", off.GetRawText());
        Assert.False(opRoom.GetProperty("locationSharing").GetBoolean());

        await ApiSession.ReadAsync(await admin.PatchAsync("/api/account", new { locationSharing = true }), HttpStatusCode.OK);
        await CallAsync(admin, opSession, "/api/meet/request-location", null, HttpStatusCode.NoContent);
        await WaitForEventAsync(customer, session, "locationRequested");
        await CallAsync(customer, session, "/api/meet/location", new { refused = true }, HttpStatusCode.NoContent);
        var refused = await WaitForEventAsync(admin, opSession, "location");
        await CallAsync(customer, session, "/api/meet/location", new { latitude = 52.520008, longitude = 13.404954, accuracy = 25.5 }, HttpStatusCode.NoContent);
        var shared = await WaitForEventAsync(admin, opSession, "location", e => e.GetProperty("data").GetProperty("shared").GetBoolean());
        var bad = await CallAsync(customer, session, "/api/meet/location", new { latitude = 91, longitude = 13 }, HttpStatusCode.BadRequest);
        var onCase = (await admin.GetJsonAsync($"/api/cases/{Id(c)}")).GetProperty("sharedLocation");

        Assert.False(refused.GetProperty("data").GetProperty("shared").GetBoolean());
        Assert.Equal(52.520008, shared.GetProperty("data").GetProperty("latitude").GetDouble());
        Assert.True(bad.GetProperty("errors").TryGetProperty("latitude", out _));
        Assert.Equal(13.404954, onCase.GetProperty("longitude").GetDouble());
        Assert.Equal(25.5, onCase.GetProperty("accuracyMeters").GetDouble());
        Assert.Equal("https://www.openstreetmap.org/?mlat=52.520008&mlon=13.404954#map=16/52.520008/13.404954", onCase.GetProperty("mapUrl").GetString());
        // The customer never sees the location events (they go to operators only).
        var customerEvents = (await EventsAsync(customer, session)).GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString());
        Assert.DoesNotContain("location", customerEvents);
    }

    [Fact]
    public async Task A_group_meeting_takes_named_guests_with_the_group_code_up_to_the_video_cap()
    {
        var (admin, _) = await SignUpAsync(App);
        var c = await CreateAsync(admin, new { name = "Workshop" });
        var (appointment, token) = await ScheduleAsync(admin, Id(c), Now.AddMinutes(5), pin: true, type: "group");
        var (opSession, _) = await OperatorJoinAsync(admin, appointment.GetProperty("id").GetString()!);

        var noName = await ApiSession.ReadAsync(await JoinAsync(Customer(App), token, Pin(appointment)), HttpStatusCode.BadRequest);
        Assert.True(noName.GetProperty("errors").TryGetProperty("name", out _));
        var guests = new List<(ApiSession Client, string Session, string Id)>();
        foreach (var name in new[] { "Gast Eins", "Gast Zwei", "Gast Drei", "Gast Vier" })
        {
            var client = Customer(App);
            var (session, room) = await JoinOkAsync(client, token, Pin(appointment), name);
            Assert.Equal("guest", room.GetProperty("you").GetProperty("role").GetString());
            Assert.Equal(name, room.GetProperty("you").GetProperty("name").GetString());
            guests.Add((client, session, room.GetProperty("you").GetProperty("id").GetString()!));
        }
        foreach (var guest in guests.Take(3))
        {
            await CallAsync(admin, opSession, "/api/meet/admit", new { participantId = guest.Id });
        }
        var full = await CallAsync(admin, opSession, "/api/meet/admit", new { participantId = guests[3].Id }, HttpStatusCode.Conflict);
        Assert.Contains("at most 4", full.GetRawText());

        var inside = await RoomAsync(guests[0].Client, guests[0].Session);
        Assert.Equal(["Anna Admin", "Gast Drei", "Gast Eins", "Gast Zwei"], inside.GetProperty("participants").EnumerateArray().Select(p => p.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal("waiting", State(await RoomAsync(guests[3].Client, guests[3].Session)));
    }

    [Fact]
    public async Task A_chat_only_account_hands_out_no_media_and_carries_no_signalling()
    {
        var (admin, _) = await SignUpAsync(App);
        await ApiSession.ReadAsync(await admin.PatchAsync("/api/account", new { meetingMode = "chatOnly" }), HttpStatusCode.OK);
        var c = await CreateAsync(admin, new { name = "Nur Chat" });
        var (appointment, token) = await ScheduleAsync(admin, Id(c), Now.AddMinutes(5), pin: false);
        var customer = Customer(App);
        var (session, room) = await JoinOkAsync(customer, token);
        var (opSession, _) = await OperatorJoinAsync(admin, appointment.GetProperty("id").GetString()!);
        await CallAsync(admin, opSession, "/api/meet/admit", new { participantId = room.GetProperty("you").GetProperty("id").GetString() });

        Assert.Equal("chatOnly", room.GetProperty("mode").GetString());
        await CallAsync(customer, session, "/api/meet/media", null, HttpStatusCode.Conflict);
        await CallAsync(customer, session, "/api/meet/signal", new { to = "x", data = new { kind = "offer" } }, HttpStatusCode.Conflict);
        await CallAsync(customer, session, "/api/meet/chat", new { clientId = "c1", text = "Nur schreiben" });
    }

    [Fact]
    public async Task Another_account_cannot_join_or_drive_the_room()
    {
        var (admin, _) = await SignUpAsync(App);
        var (other, _) = await SignUpAsync(App);
        var c = await CreateAsync(admin, new { name = "Privat" });
        var (appointment, token) = await ScheduleAsync(admin, Id(c), Now.AddMinutes(5), pin: false);
        var (session, room) = await JoinOkAsync(Customer(App), token);

        using var foreignJoin = await other.PostAsync($"/api/appointments/{appointment.GetProperty("id").GetString()}/meeting");
        Assert.Equal(HttpStatusCode.NotFound, foreignJoin.StatusCode);
        // The customer's own session is not an operator's: it cannot admit, end or ask for locations.
        await CallAsync(other, session, "/api/meet/admit", new { participantId = room.GetProperty("you").GetProperty("id").GetString() }, HttpStatusCode.Forbidden);
        await CallAsync(other, session, "/api/meet/end", null, HttpStatusCode.Forbidden);
        // A forged or foreign session header is simply not a session.
        await CallAsync(other, "forged", "/api/meet/room", null, HttpStatusCode.Unauthorized);
        Assert.DoesNotContain(Id(c), (await other.GetJsonAsync("/api/presence")).GetRawText());
    }
}
