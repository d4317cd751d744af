using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Parley.Tests.Dialogs;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Infrastructure.Accounts;

namespace Parley.Tests.Chat;

/// <summary>The live chat's second part (docs/chat.md): sessions that last, presence, typing, read marks, unread counts, the inbox, routing, video, e-mails.</summary>
public sealed class ChatLiveTests
{
    private static async Task<JsonElement> VisitorGetAsync(ChatKit.Visitor visitor, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/chat/{visitor.Key}/{path}");
        request.Headers.Add("X-Chat-Visitor", visitor.Token);
        return await ApiSession.ReadAsync(await visitor.Session.Client.SendAsync(request), HttpStatusCode.OK);
    }

    private static async Task<HttpResponseMessage> VisitorPostAsync(ChatKit.Visitor visitor, string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/chat/{visitor.Key}/{path}") { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Chat-Visitor", visitor.Token);
        return await visitor.Session.Client.SendAsync(request);
    }

    private static async Task<string> CaseIdAsync(ApiSession admin) =>
        (await ChatKit.CasesAsync(admin)).Single(c => c.GetProperty("origin").GetString() == "websiteChat").GetProperty("id").GetString()!;

    private static async Task OnlineAsync(ApiSession session) =>
        await ApiSession.ReadAsync(await session.PutAsync("/api/me/presence", new { mode = "online" }), HttpStatusCode.OK);

    [Fact]
    public async Task A_session_goes_on_with_the_kept_token_or_the_partitioned_cookie_but_a_verified_visitor_only_with_its_signature()
    {
        await using var app = await ChatKit.StartAsync();
        var business = await ChatKit.OpenAsync(app, new { identityVerification = "optional" }, business: "Kanzlei Sitzung");
        await ApiSession.ReadAsync(await business.Admin.PostAsync("/api/custom-fields", new { key = "policy", label = "Policy number", type = "text" }), HttpStatusCode.Created);
        await ApiSession.ReadAsync(await business.Admin.PutAsync("/api/chat-settings", new { preChat = new { policy = "optional" } }), HttpStatusCode.OK);
        using var visitor = await ChatKit.VisitAsync(app, business.Key);
        await visitor.SayAsync("Hello, anyone there?");

        // The kept token: the same visitor and conversation.
        using var again = app.NewSession(dashboardHeader: false);
        var resumed = await ApiSession.ReadAsync(await again.PostAsync($"/api/chat/{business.Key}/session", new { token = visitor.Token }), HttpStatusCode.OK);
        Assert.True(resumed.GetProperty("hasConversation").GetBoolean());
        Assert.Equal("Kanzlei Sitzung", resumed.GetProperty("businessName").GetString());
        Assert.Equal("Policy number", resumed.GetProperty("preChatLabels").GetProperty("policy").GetString());
        Assert.False(resumed.GetProperty("hasEmail").GetBoolean());
        Assert.False(resumed.GetProperty("online").GetBoolean());
        using var resumedVisitor = new ChatKit.Visitor(app.NewSession(dashboardHeader: false), business.Key, resumed.GetProperty("token").GetString()!);
        Assert.Equal("Hello, anyone there?", (await resumedVisitor.EventsAsync(0)).GetProperty("messages")[0].GetProperty("text").GetString());

        // No token, but the cookie the first answer set (a frame without localStorage): the same visitor too.
        var cookie = await ApiSession.ReadAsync(await visitor.Session.PostAsync($"/api/chat/{business.Key}/session", new { }), HttpStatusCode.OK);
        Assert.True(cookie.GetProperty("hasConversation").GetBoolean());

        // A stranger without either is a new visitor.
        var stranger = await ApiSession.ReadAsync(await ChatKit.StartSessionAsync(app, business.Key), HttpStatusCode.OK);
        Assert.False(stranger.GetProperty("hasConversation").GetBoolean());

        // A verified visitor's token is never resumed without the website's signature (a signed-out website is a new visitor).
        var signed = await ApiSession.ReadAsync(await ChatKit.StartSessionAsync(app, business.Key,
            new { identifier = "customer-42", signature = Parley.Functions.Chat.ChatVisitors.Sign(business.Secret, "customer-42") }), HttpStatusCode.OK);
        using var signedVisitor = new ChatKit.Visitor(app.NewSession(dashboardHeader: false), business.Key, signed.GetProperty("token").GetString()!);
        await signedVisitor.SayAsync("I am customer 42");
        var unsigned = await ApiSession.ReadAsync(await ChatKit.StartSessionAsync(app, business.Key, new { token = signedVisitor.Token }), HttpStatusCode.OK);
        Assert.False(unsigned.GetProperty("hasConversation").GetBoolean());
        Assert.False(unsigned.GetProperty("verified").GetBoolean());
    }

    [Fact]
    public async Task Typing_read_marks_and_unread_counts_travel_both_ways()
    {
        await using var app = await ChatKit.StartAsync();
        var business = await ChatKit.OpenAsync(app);
        using var visitor = await ChatKit.VisitAsync(app, business.Key);
        var first = await visitor.SayAsync("Do you open on Saturdays?");
        var caseId = await CaseIdAsync(business.Admin);
        var listed = (await ChatKit.CasesAsync(business.Admin)).Single(c => c.GetProperty("id").GetString() == caseId);
        Assert.Equal(1, listed.GetProperty("unreadMessages").GetInt32());
        await visitor.SayAsync("Or Sundays?");
        Assert.Equal(2, (await business.Admin.GetJsonAsync($"/api/cases/{caseId}")).GetProperty("unreadMessages").GetInt32());

        // The visitor types: the operator's poll (given its last state) answers at once with it.
        var opening = await business.Admin.GetJsonAsync($"/api/cases/{caseId}/conversation/events?after=0");
        Assert.Equal(2, opening.GetProperty("messages").GetArrayLength());
        Assert.False(opening.GetProperty("visitorTyping").GetBoolean());
        Assert.False(opening.GetProperty("visitorOnline").GetBoolean()); // the visitor has not polled yet
        var next = opening.GetProperty("next").GetInt64();
        var polling = business.Admin.GetJsonAsync($"/api/cases/{caseId}/conversation/events?after={next}&state={opening.GetProperty("state").GetInt64()}");
        Assert.Equal(HttpStatusCode.NoContent, (await VisitorPostAsync(visitor, "typing", new { })).StatusCode);
        var typing = await polling;
        Assert.True(typing.GetProperty("visitorTyping").GetBoolean());
        Assert.Equal(0, typing.GetProperty("messages").GetArrayLength());

        // The operator reads: unread 0, and the visitor sees how far.
        Assert.Equal(HttpStatusCode.NoContent, (await business.Admin.PostAsync($"/api/cases/{caseId}/conversation/read")).StatusCode);
        Assert.Equal(0, (await business.Admin.GetJsonAsync($"/api/cases/{caseId}")).GetProperty("unreadMessages").GetInt32());
        var seen = await visitor.EventsAsync(0);
        Assert.True(seen.GetProperty("operatorRead").GetInt64() >= first.GetProperty("seq").GetInt64() + 1);

        // The operator types and answers: the visitor's poll wakes for each, and the answer is unread for them until they read it.
        var state = seen.GetProperty("state").GetInt64();
        var visitorPoll = VisitorGetAsync(visitor, $"events?after={seen.GetProperty("next").GetInt64()}&state={state}");
        Assert.Equal(HttpStatusCode.NoContent, (await business.Admin.PostAsync($"/api/cases/{caseId}/conversation/typing")).StatusCode);
        Assert.True((await visitorPoll).GetProperty("operatorTyping").GetBoolean());
        var answer = await ApiSession.ReadAsync(await business.Admin.PostAsync($"/api/cases/{caseId}/conversation", new { clientMessageId = "a-1", text = "Yes, 10 to 14." }), HttpStatusCode.Created);
        var events = await visitor.EventsAsync(seen.GetProperty("next").GetInt64());
        Assert.Equal("Yes, 10 to 14.", events.GetProperty("messages")[0].GetProperty("text").GetString());
        Assert.Equal(1, events.GetProperty("unread").GetInt32());
        Assert.Equal(HttpStatusCode.NoContent, (await VisitorPostAsync(visitor, "read", new { seq = answer.GetProperty("seq").GetInt64() })).StatusCode);
        Assert.Equal(0, (await visitor.EventsAsync(0)).GetProperty("unread").GetInt32());
        var operatorView = await business.Admin.GetJsonAsync($"/api/cases/{caseId}/conversation/events?after=0");
        Assert.Equal(answer.GetProperty("seq").GetInt64(), operatorView.GetProperty("visitorRead").GetInt64());
        Assert.True(operatorView.GetProperty("visitorOnline").GetBoolean());

        // Bad input: clear errors.
        var problem = await ApiSession.ReadAsync(await VisitorPostAsync(visitor, "read", new { seq = 0 }), HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("seq", out _));
        using var fresh = await ChatKit.VisitAsync(app, business.Key);
        await ApiSession.ReadAsync(await VisitorPostAsync(fresh, "contact", new { email = "late@example.com" }), HttpStatusCode.NotFound);
        await ApiSession.ReadAsync(await VisitorPostAsync(fresh, "read", new { seq = 1 }), HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NoContent, (await VisitorPostAsync(fresh, "typing", new { })).StatusCode); // nothing to tell yet
        await ApiSession.ReadAsync(await VisitorPostAsync(visitor, "contact", new { email = "not-an-address" }), HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.NoContent, (await VisitorPostAsync(visitor, "contact", new { email = "sat@example.com" })).StatusCode);
        await ApiSession.ReadAsync(await VisitorPostAsync(visitor, "contact", new { email = "other@example.com" }), HttpStatusCode.Conflict);
        Assert.Equal("sat@example.com", (await business.Admin.GetJsonAsync($"/api/cases/{caseId}")).GetProperty("email").GetString());
    }

    [Fact]
    public async Task The_operators_inbox_wakes_on_a_new_chat_and_empties_when_it_is_read()
    {
        await using var app = await ChatKit.StartAsync();
        var business = await ChatKit.OpenAsync(app);
        var empty = await business.Admin.GetJsonAsync("/api/chat/inbox");
        Assert.Equal(0, empty.GetProperty("total").GetInt32());
        var waiting = business.Admin.GetJsonAsync($"/api/chat/inbox?after={empty.GetProperty("next").GetInt64()}");
        using var visitor = await ChatKit.VisitAsync(app, business.Key);
        await visitor.SayAsync("New here!");
        var woke = await waiting;
        var item = Assert.Single(woke.GetProperty("cases").EnumerateArray());
        Assert.Equal(1, item.GetProperty("unreadMessages").GetInt32());
        Assert.Equal(1, woke.GetProperty("total").GetInt32());
        await business.Admin.PostAsync($"/api/cases/{item.GetProperty("caseId").GetString()}/conversation/read");
        Assert.Equal(0, (await business.Admin.GetJsonAsync($"/api/chat/inbox?after={woke.GetProperty("next").GetInt64()}")).GetProperty("total").GetInt32());

        // Presence for the closed launcher: away for nobody online, an unknown key or a switched-off chat alike.
        using var anonymous = app.NewSession(dashboardHeader: false);
        Assert.False((await anonymous.GetJsonAsync($"/api/chat/{business.Key}/presence")).GetProperty("online").GetBoolean());
        await OnlineAsync(business.Admin);
        Assert.True((await anonymous.GetJsonAsync($"/api/chat/{business.Key}/presence")).GetProperty("online").GetBoolean());
        Assert.False((await anonymous.GetJsonAsync("/api/chat/aaaaaaaaaaaaaaaaaaaaaaaa/presence")).GetProperty("online").GetBoolean());
    }

    [Fact]
    public async Task A_new_chat_goes_to_the_least_busy_online_operator()
    {
        await using var app = await ChatKit.StartAsync();
        var business = await ChatKit.OpenAsync(app);
        var (firstId, firstEmail) = await AddOperatorAsync(business.Admin, app);
        var (secondId, secondEmail) = await AddOperatorAsync(business.Admin, app);
        using var first = await SignInAsync(app, firstEmail);
        using var second = await SignInAsync(app, secondEmail);
        await OnlineAsync(first);
        using var a = await ChatKit.VisitAsync(app, business.Key);
        await a.SayAsync("First visitor");
        await OnlineAsync(second);
        using var b = await ChatKit.VisitAsync(app, business.Key);
        await b.SayAsync("Second visitor");
        var chats = (await ChatKit.CasesAsync(business.Admin)).Where(c => c.GetProperty("origin").GetString() == "websiteChat").ToList();
        var assigned = chats.Select(c => Assert.Single(c.GetProperty("assignedOperatorIds").EnumerateArray()).GetString()!).Order().ToList();
        Assert.Equal(new[] { firstId, secondId }.Order().ToList(), assigned);
    }

    [Fact]
    public async Task A_video_invitation_makes_an_appointment_from_now_and_hands_the_visitor_its_link()
    {
        await using var app = await ChatKit.StartAsync();
        var business = await ChatKit.OpenAsync(app);
        using var visitor = await ChatKit.VisitAsync(app, business.Key);
        await visitor.SayAsync("Can we talk face to face?", clientMessageId: "v-1");
        var caseId = await CaseIdAsync(business.Admin);
        var invited = await ApiSession.ReadAsync(await business.Admin.PostAsync($"/api/cases/{caseId}/chat/video"), HttpStatusCode.Created);
        var appointment = await business.Admin.GetJsonAsync($"/api/appointments/{invited.GetProperty("appointmentId").GetString()}");
        Assert.True(appointment.GetProperty("start").GetDateTimeOffset() <= DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.False(appointment.GetProperty("invitation").GetProperty("email").GetBoolean());
        var events = await visitor.EventsAsync(0);
        var offer = events.GetProperty("messages").EnumerateArray().Single(m => m.TryGetProperty("meetingUrl", out var u) && u.ValueKind == JsonValueKind.String);
        Assert.Equal(invited.GetProperty("meetingUrl").GetString(), offer.GetProperty("meetingUrl").GetString());
        Assert.Equal(appointment.GetProperty("joinUrl").GetString(), offer.GetProperty("meetingUrl").GetString());

        // Only a website chat can be invited from here.
        var other = await ApiSession.ReadAsync(await business.Admin.PostAsync("/api/cases", new { name = "Walk-in" }), HttpStatusCode.Created);
        await ApiSession.ReadAsync(await business.Admin.PostAsync($"/api/cases/{other.GetProperty("id").GetString()}/chat/video"), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Nobody_online_alerts_the_operators_and_an_unread_answer_reaches_the_visitor_by_email_with_a_link_back()
    {
        await using var app = await ChatKit.StartAsync(new() { ["Durable:Enabled"] = "true", ["Chat:EmailAfter"] = "00:00:01" });
        var business = await ChatKit.OpenAsync(app, new { preChat = new { email = "required" } }, business: "Kanzlei Abwesend");
        var adminEmail = (await business.Admin.GetJsonAsync("/api/me")).GetProperty("operator").GetProperty("email").GetString();
        var visitorEmail = NewEmail("visitor");
        using var visitor = await ChatKit.VisitAsync(app, business.Key);
        await ApiSession.ReadAsync(await visitor.SendAsync(new { clientMessageId = "m-1", text = "Are you there? I need help with my contract.", email = visitorEmail, language = "de" }),
            HttpStatusCode.Created);
        var caseId = await CaseIdAsync(business.Admin);
        var back = await ApiSession.ReadAsync(await ChatKit.StartSessionAsync(app, business.Key, new { token = visitor.Token }), HttpStatusCode.OK);
        Assert.True(back.GetProperty("hasEmail").GetBoolean()); // the widget does not ask for an address again

        var alert = await DialogApiTests.OutboxEntryAsync(business.Admin, e => e.GetProperty("to").GetString() == adminEmail);
        Assert.Contains("I need help with my contract.", alert.GetProperty("text").GetString());
        Assert.Contains($"/cases/{caseId}", alert.GetProperty("text").GetString());

        await ApiSession.ReadAsync(await business.Admin.PostAsync($"/api/cases/{caseId}/conversation", new { clientMessageId = "r-1", text = "Guten Tag, gerne helfen wir." }), HttpStatusCode.Created);
        var mail = await DialogApiTests.OutboxEntryAsync(business.Admin, e => e.GetProperty("to").GetString() == visitorEmail);
        Assert.Contains("Guten Tag, gerne helfen wir.", mail.GetProperty("text").GetString());
        Assert.Contains("Kanzlei Abwesend", mail.GetProperty("subject").GetString());
        var link = System.Text.RegularExpressions.Regex.Match(mail.GetProperty("text").GetString()!, @"/chat#(\S+)").Groups[1].Value;
        Assert.NotEmpty(link);

        // The link opens the same conversation in a full page.
        using var page = app.NewSession(dashboardHeader: false);
        var opened = await ApiSession.ReadAsync(await page.PostAsync("/api/chat/link", new { token = link }), HttpStatusCode.OK);
        Assert.Equal(business.Key, opened.GetProperty("key").GetString());
        using var fromLink = new ChatKit.Visitor(app.NewSession(dashboardHeader: false), business.Key, opened.GetProperty("session").GetProperty("token").GetString()!);
        Assert.Equal(2, (await fromLink.EventsAsync(0)).GetProperty("messages").GetArrayLength());
        await ApiSession.ReadAsync(await page.PostAsync("/api/chat/link", new { token = link + "x" }), HttpStatusCode.NotFound);

        // A transcript on request.
        var transcriptTo = NewEmail("transcript");
        Assert.Equal(HttpStatusCode.Accepted, (await VisitorPostAsync(visitor, "transcript", new { email = transcriptTo })).StatusCode);
        var transcript = await DialogApiTests.OutboxEntryAsync(business.Admin, e => e.GetProperty("to").GetString() == transcriptTo);
        Assert.Contains("I need help with my contract.", transcript.GetProperty("text").GetString());
        Assert.Contains("Guten Tag, gerne helfen wir.", transcript.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Deleting_a_chat_case_removes_its_visitor_link_and_live_state_and_the_next_message_starts_afresh()
    {
        await using var app = await ChatKit.StartAsync();
        var business = await ChatKit.OpenAsync(app);
        using var visitor = await ChatKit.VisitAsync(app, business.Key);
        await visitor.SayAsync("Please forget me");
        var caseId = await CaseIdAsync(business.Admin);
        await business.Admin.PostAsync($"/api/cases/{caseId}/conversation/read");
        var states = app.Services.GetRequiredService<Parley.Functions.Chat.ChatStateStore>();
        Assert.NotEqual(Parley.Functions.Chat.ChatState.Empty, await states.GetAsync(business.Key, caseId, CancellationToken.None));

        Assert.Equal(HttpStatusCode.NoContent, (await business.Admin.DeleteAsync($"/api/cases/{caseId}")).StatusCode);
        Assert.Equal(Parley.Functions.Chat.ChatState.Empty, await states.GetAsync(business.Key, caseId, CancellationToken.None));
        Assert.Null(await app.Services.GetRequiredService<Parley.Functions.Chat.ChatService>().VisitorOfAsync(business.Key, caseId, CancellationToken.None));
        var resumed = await ApiSession.ReadAsync(await ChatKit.StartSessionAsync(app, business.Key, new { token = visitor.Token }), HttpStatusCode.OK);
        Assert.False(resumed.GetProperty("hasConversation").GetBoolean());
        await visitor.SayAsync("A new question");
        Assert.NotEqual(caseId, await CaseIdAsync(business.Admin));
    }
}
