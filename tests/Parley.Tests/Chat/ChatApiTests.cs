using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Parley.Functions.Chat;
using Parley.Tests.Infrastructure;
using static Parley.Tests.Chat.ChatKit;

namespace Parley.Tests.Chat;

/// <summary>The website chat's server: the first message creates the case (once), operators answer, visitors read (docs/chat.md).</summary>
public sealed class ChatApiTests : IAsyncLifetime
{
    private ParleyApp App { get; set; } = null!;

    public async Task InitializeAsync() => App = await StartAsync();

    public async Task DisposeAsync() => await App.DisposeAsync();

    [Fact]
    public async Task A_session_creates_no_case_and_the_first_message_creates_one_awaiting_case_with_the_page_it_came_from()
    {
        var business = await OpenAsync(App);
        using var visitor = await VisitAsync(App, business.Key);
        Assert.Empty(await CasesAsync(business.Admin));

        var sent = await ApiSession.ReadAsync(await visitor.SendAsync(new
        {
            clientMessageId = "m-1", text = "<b>Hello</b>, do you do tax returns?", pageUrl = "https://www.kanzlei.example/tax?x=1", referrer = "https://search.example/",
            language = "de-DE", timeZone = "Europe/Berlin", utm = new { source = "newsletter", medium = "email", campaign = "spring" },
        }), HttpStatusCode.Created);
        Assert.Equal("visitor", sent.GetProperty("author").GetString());
        Assert.Equal("<b>Hello</b>, do you do tax returns?", sent.GetProperty("text").GetString()); // plain text, as written

        var listed = Assert.Single(await CasesAsync(business.Admin));
        Assert.Equal("websiteChat", listed.GetProperty("origin").GetString());
        Assert.True(listed.GetProperty("awaitingReply").GetBoolean());
        var c = await business.Admin.GetJsonAsync($"/api/cases/{listed.GetProperty("id").GetString()}");
        Assert.StartsWith("Website visitor ", c.GetProperty("name").GetString());
        Assert.Equal("active", c.GetProperty("status").GetString());
        Assert.True(c.GetProperty("awaitingReply").GetBoolean());
        Assert.Equal("de", c.GetProperty("language").GetString());
        var metadata = c.GetProperty("metadata");
        Assert.Equal("https://www.kanzlei.example/tax?x=1", metadata.GetProperty("pageUrl").GetString());
        Assert.Equal("https://search.example/", metadata.GetProperty("referrer").GetString());
        Assert.Equal("Europe/Berlin", metadata.GetProperty("timeZone").GetString());
        Assert.Equal("newsletter", metadata.GetProperty("utm_source").GetString());
        Assert.Equal("spring", metadata.GetProperty("utm_campaign").GetString());
        var message = Assert.Single(await ConversationAsync(business.Admin, c.GetProperty("id").GetString()!));
        Assert.Equal(("customer", "websiteChat"), (message.GetProperty("author").GetString(), message.GetProperty("source").GetString()));

        // Later messages go to the same case.
        await visitor.SayAsync("Still there?");
        Assert.Single(await CasesAsync(business.Admin));
        Assert.Equal(2, (await ConversationAsync(business.Admin, c.GetProperty("id").GetString()!)).Count);
    }

    [Fact]
    public async Task A_retried_first_message_makes_one_case_and_one_message_also_when_ten_arrive_at_once()
    {
        var business = await OpenAsync(App);
        using var visitor = await VisitAsync(App, business.Key);
        await visitor.SayAsync("Hello", "first");
        var replay = await visitor.SayAsync("Hello", "first", HttpStatusCode.OK);
        Assert.Equal(1, replay.GetProperty("seq").GetInt64());

        using var racer = await VisitAsync(App, business.Key);
        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => racer.SendAsync(new { clientMessageId = "same", text = "Hi there" })));
        Assert.All(answers, a => Assert.True(a.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"{(int)a.StatusCode} {a.Content.ReadAsStringAsync().Result}"));
        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Created);

        var cases = await CasesAsync(business.Admin);
        Assert.Equal(2, cases.Count); // one per visitor
        foreach (var c in cases)
        {
            Assert.Single(await ConversationAsync(business.Admin, c.GetProperty("id").GetString()!));
        }
    }

    [Fact]
    public async Task The_operators_answer_reaches_the_visitors_long_poll_and_clears_awaiting()
    {
        var business = await OpenAsync(App);
        using var visitor = await VisitAsync(App, business.Key);
        var first = await visitor.SayAsync("Can someone help?");
        var caseId = Assert.Single(await CasesAsync(business.Admin)).GetProperty("id").GetString()!;

        var own = await visitor.EventsAsync(0);
        Assert.Equal("Can someone help?", Assert.Single(own.GetProperty("messages").EnumerateArray()).GetProperty("text").GetString());
        var poll = visitor.EventsAsync(first.GetProperty("seq").GetInt64());
        var reply = await ApiSession.ReadAsync(await business.Admin.PostAsync($"/api/cases/{caseId}/conversation", new { clientMessageId = "op-1", text = "Yes, how can I help?" }), HttpStatusCode.Created);
        Assert.Equal("operator", reply.GetProperty("author").GetString());
        await ApiSession.ReadAsync(await business.Admin.PostAsync($"/api/cases/{caseId}/conversation", new { clientMessageId = "op-1", text = "Yes, how can I help?" }), HttpStatusCode.OK);

        var events = await poll;
        var answer = Assert.Single(events.GetProperty("messages").EnumerateArray());
        Assert.Equal(("operator", "Yes, how can I help?"), (answer.GetProperty("author").GetString(), answer.GetProperty("text").GetString()));
        Assert.False(string.IsNullOrEmpty(answer.GetProperty("operatorName").GetString()));
        Assert.Equal(2, events.GetProperty("next").GetInt64());
        Assert.False(answer.TryGetProperty("id", out _)); // nothing internal
        Assert.Equal(2, (await ConversationAsync(business.Admin, caseId)).Count);
        Assert.False((await business.Admin.GetJsonAsync($"/api/cases/{caseId}")).GetProperty("awaitingReply").GetBoolean());
        Assert.False(Assert.Single(await CasesAsync(business.Admin)).GetProperty("awaitingReply").GetBoolean());

        // The visitor writes again: awaiting once more.
        await visitor.SayAsync("Thanks!");
        Assert.True((await business.Admin.GetJsonAsync($"/api/cases/{caseId}")).GetProperty("awaitingReply").GetBoolean());

        // In a case that is no website chat, the message is the dashboard's own (no visitor to wake).
        var manual = (await ApiSession.ReadAsync(await business.Admin.PostAsync("/api/cases", new { name = "Walk-in" }), HttpStatusCode.Created)).GetProperty("id").GetString()!;
        var note = await ApiSession.ReadAsync(await business.Admin.PostAsync($"/api/cases/{manual}/conversation", new { clientMessageId = "n-1", text = "Called back" }), HttpStatusCode.Created);
        Assert.Equal("dashboard", note.GetProperty("source").GetString());
        var invalid = await ApiSession.ReadAsync(await business.Admin.PostAsync($"/api/cases/{manual}/conversation", new { clientMessageId = "bad id/1", text = " " }), HttpStatusCode.BadRequest);
        Assert.True(invalid.GetProperty("errors").TryGetProperty("clientMessageId", out _));
        Assert.True(invalid.GetProperty("errors").TryGetProperty("text", out _));
    }

    [Fact]
    public async Task The_pre_chat_form_is_enforced_on_the_first_message()
    {
        var (admin, me) = await Infrastructure.Accounts.SignUpAsync(App);
        await ApiSession.ReadAsync(await admin.PostAsync("/api/custom-fields", new { key = "topic", label = "Topic", type = "text" }), HttpStatusCode.Created);
        var key = me.GetProperty("account").GetProperty("id").GetString()!;
        var settings = await ApiSession.ReadAsync(await admin.PutAsync("/api/chat-settings", new
        {
            enabled = true, preChat = new Dictionary<string, string> { ["name"] = "required", ["email"] = "required", ["phone"] = "optional", ["topic"] = "required" },
        }), HttpStatusCode.OK);
        Assert.Equal("required", settings.GetProperty("preChat").GetProperty("topic").GetString());
        using var visitor = await VisitAsync(App, key);

        var missing = await ApiSession.ReadAsync(await visitor.SendAsync(new { clientMessageId = "a", text = "Hi" }), HttpStatusCode.BadRequest);
        var errors = missing.GetProperty("errors");
        Assert.True(errors.TryGetProperty("name", out _));
        Assert.True(errors.TryGetProperty("email", out _));
        Assert.True(errors.TryGetProperty("customFields.topic", out _));
        Assert.False(errors.TryGetProperty("phone", out _));

        var wrong = await ApiSession.ReadAsync(await visitor.SendAsync(new { clientMessageId = "a", text = "Hi", name = "Vera", email = "not-an-address", phone = "12", customFields = new { topic = "Tax" } }), HttpStatusCode.BadRequest);
        Assert.True(wrong.GetProperty("errors").TryGetProperty("email", out _));
        Assert.True(wrong.GetProperty("errors").TryGetProperty("phone", out _));
        Assert.Empty(await CasesAsync(admin));

        await ApiSession.ReadAsync(await visitor.SendAsync(new { clientMessageId = "a", text = "Hi", name = "Vera Visitor", email = "vera@example.com", phone = "+49 151 23456789", customFields = new { topic = "Tax" } }), HttpStatusCode.Created);
        var c = await admin.GetJsonAsync($"/api/cases/{Assert.Single(await CasesAsync(admin)).GetProperty("id").GetString()}");
        Assert.Equal(("Vera Visitor", "vera@example.com", "+4915123456789", "Tax"),
            (c.GetProperty("name").GetString(), c.GetProperty("email").GetString(), c.GetProperty("phone").GetString(), c.GetProperty("customFields").GetProperty("topic").GetString()));
    }

    [Fact]
    public async Task Identity_verification_off_optional_and_required()
    {
        var business = await OpenAsync(App);
        var signature = ChatVisitors.Sign(business.Secret, "customer-42");

        // Off: an identity is ignored (a wrong signature too).
        Assert.Equal(HttpStatusCode.OK, (await StartSessionAsync(App, business.Key, new { identifier = "customer-42", signature = "00" })).StatusCode);

        await ApiSession.ReadAsync(await business.Admin.PutAsync("/api/chat-settings", new { identityVerification = "optional" }), HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, (await StartSessionAsync(App, business.Key)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await StartSessionAsync(App, business.Key, new { identifier = "customer-42", signature = "00" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await StartSessionAsync(App, business.Key, new { identifier = "customer-42" })).StatusCode);

        await ApiSession.ReadAsync(await business.Admin.PutAsync("/api/chat-settings", new { identityVerification = "required" }), HttpStatusCode.OK);
        var refused = await StartSessionAsync(App, business.Key);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, (await StartSessionAsync(App, business.Key, new { identifier = "customer-43", signature })).StatusCode);

        // The same verified identifier on another device: the same visitor, the same conversation.
        using var laptop = await VisitAsync(App, business.Key, new { identifier = "customer-42", signature });
        await laptop.SayAsync("Written on my laptop");
        using var phone = await VisitAsync(App, business.Key, new { identifier = "customer-42", signature = signature.ToUpperInvariant() });
        var seen = await phone.EventsAsync(0);
        Assert.Equal("Written on my laptop", Assert.Single(seen.GetProperty("messages").EnumerateArray()).GetProperty("text").GetString());
        await phone.SayAsync("And now on my phone");
        Assert.Single(await CasesAsync(business.Admin));

        // A rotated secret: the old signature no longer works.
        await ApiSession.ReadAsync(await business.Admin.PostAsync("/api/chat-settings/secret"), HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Unauthorized, (await StartSessionAsync(App, business.Key, new { identifier = "customer-42", signature })).StatusCode);
    }

    [Fact]
    public async Task Bodies_that_are_not_json_are_415_and_the_chat_needs_a_visitor_token()
    {
        var business = await OpenAsync(App);
        using var visitor = await VisitAsync(App, business.Key);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/chat/{business.Key}/messages") { Content = new StringContent("text=hi", Encoding.UTF8, "application/x-www-form-urlencoded") };
        request.Headers.Add("X-Chat-Visitor", visitor.Token);
        var response = await visitor.Session.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await visitor.Session.Client.PostAsync($"/api/chat/{business.Key}/session", new StringContent("x", Encoding.UTF8, "text/plain"))).StatusCode);

        var noToken = await visitor.Session.PostAsync($"/api/chat/{business.Key}/messages", new { clientMessageId = "x", text = "hi" });
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        var tooLong = await visitor.SendAsync(new { clientMessageId = "x", text = new string('a', 2001) });
        Assert.True((await ApiSession.ReadAsync(tooLong, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("text", out _));
        Assert.Empty(await CasesAsync(business.Admin));
    }

    [Fact]
    public async Task Cors_preflights_are_answered_only_for_the_accounts_embed_origins()
    {
        var business = await OpenAsync(App);
        await ApiSession.ReadAsync(await business.Admin.PatchAsync("/api/account", new { embedOrigins = new[] { "https://www.kanzlei.example" } }), HttpStatusCode.OK);
        using var browser = App.NewSession(dashboardHeader: false);

        async Task<HttpResponseMessage> PreflightAsync(string origin)
        {
            using var request = new HttpRequestMessage(HttpMethod.Options, $"/api/chat/{business.Key}/messages");
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "POST");
            request.Headers.Add("Access-Control-Request-Headers", "content-type, x-chat-visitor");
            return await browser.Client.SendAsync(request);
        }

        var allowed = await PreflightAsync("https://www.kanzlei.example");
        Assert.True(allowed.IsSuccessStatusCode);
        Assert.Equal("https://www.kanzlei.example", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("X-Chat-Visitor", allowed.Headers.GetValues("Access-Control-Allow-Headers").Single());
        Assert.False(allowed.Headers.Contains("Access-Control-Allow-Credentials"));

        var foreign = await PreflightAsync("https://evil.example");
        Assert.False(foreign.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(foreign.Headers.Contains("Access-Control-Allow-Headers"));

        // The actual request from the allowed origin carries the header too; from another, it does not.
        using var post = new HttpRequestMessage(HttpMethod.Post, $"/api/chat/{business.Key}/session") { Content = JsonContent.Create(new { }) };
        post.Headers.Add("Origin", "https://www.kanzlei.example");
        var opened = await browser.Client.SendAsync(post);
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        Assert.Equal("https://www.kanzlei.example", opened.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task Another_accounts_chat_and_cases_are_never_reachable()
    {
        var a = await OpenAsync(App, business: "A");
        var b = await OpenAsync(App, business: "B");
        using var visitorOfA = await VisitAsync(App, a.Key);
        await visitorOfA.SayAsync("A's secret question");
        var caseOfA = Assert.Single(await CasesAsync(a.Admin)).GetProperty("id").GetString()!;

        // A's visitor token is not a token for B's chat.
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/api/chat/{b.Key}/events?after=0"))
        {
            request.Headers.Add("X-Chat-Visitor", visitorOfA.Token);
            Assert.Equal(HttpStatusCode.Unauthorized, (await visitorOfA.Session.Client.SendAsync(request)).StatusCode);
        }
        using (var request = new HttpRequestMessage(HttpMethod.Post, $"/api/chat/{b.Key}/messages") { Content = JsonContent.Create(new { clientMessageId = "x", text = "into B" }) })
        {
            request.Headers.Add("X-Chat-Visitor", visitorOfA.Token);
            Assert.Equal(HttpStatusCode.Unauthorized, (await visitorOfA.Session.Client.SendAsync(request)).StatusCode);
        }
        // B's operators cannot read or answer A's case; another visitor of A sees nothing of it.
        Assert.Equal(HttpStatusCode.NotFound, (await b.Admin.PostAsync($"/api/cases/{caseOfA}/conversation", new { clientMessageId = "x", text = "pwned" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.Admin.GetAsync($"/api/cases/{caseOfA}/conversation")).StatusCode);
        using var otherVisitor = await VisitAsync(App, a.Key);
        Assert.Empty((await otherVisitor.EventsAsync(0)).GetProperty("messages").EnumerateArray());
        Assert.Empty(await CasesAsync(b.Admin));
        Assert.Single(await ConversationAsync(a.Admin, caseOfA));
    }

    [Fact]
    public async Task Settings_are_for_administrators_validated_and_a_switched_off_chat_is_not_found()
    {
        var (admin, me) = await Infrastructure.Accounts.SignUpAsync(App);
        var key = me.GetProperty("account").GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.NotFound, (await StartSessionAsync(App, key)).StatusCode);
        var defaults = await admin.GetJsonAsync("/api/chat-settings");
        Assert.False(defaults.GetProperty("enabled").GetBoolean());
        Assert.Equal(key, defaults.GetProperty("chatKey").GetString());
        Assert.True(defaults.GetProperty("secret").GetString()!.Length >= 40);

        var bad = await ApiSession.ReadAsync(await admin.PutAsync("/api/chat-settings", new
        {
            greeting = new string('g', 301), color = "blue", replyTime = new string('r', 101), preChat = new Dictionary<string, string> { ["shoeSize"] = "required", ["email"] = "maybe" }, identityVerification = "always",
        }), HttpStatusCode.BadRequest);
        foreach (var field in new[] { "greeting", "color", "replyTime", "preChat.shoeSize", "preChat.email", "identityVerification" })
        {
            Assert.True(bad.GetProperty("errors").TryGetProperty(field, out _), field);
        }

        var (_, operatorEmail) = await Infrastructure.Accounts.AddOperatorAsync(admin, App);
        using var op = await Infrastructure.Accounts.SignInAsync(App, operatorEmail);
        Assert.Equal(HttpStatusCode.Forbidden, (await op.GetAsync("/api/chat-settings")).StatusCode);

        var session = await ApiSession.ReadAsync(await StartSessionAsync(App, (await OpenAsync(App)).Key), HttpStatusCode.OK);
        Assert.Equal(("Hello! How can we help?", "#112233", "Usually within an hour"),
            (session.GetProperty("greeting").GetString(), session.GetProperty("color").GetString(), session.GetProperty("replyTime").GetString()));
        Assert.False(session.TryGetProperty("secret", out _));
    }
}
