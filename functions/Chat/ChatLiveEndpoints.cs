using Parley.Functions.Accounts;
using Parley.Functions.Appointments;
using Parley.Functions.Cases;
using Parley.Functions.Common;
using Parley.Functions.Conversations;
using Parley.Functions.Identity;
using Parley.Functions.Meetings;
using Parley.Functions.RateLimiting;
using Parley.Functions.Storage;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Chat;

/// <summary>Shared pieces of the live chat: waiting on a chat's room, and the visitor's link of a video invitation.</summary>
public static class ChatLive
{
    public const string VisitorSide = "visitor";
    public const string OperatorSide = "operator";

    /// <summary>
    /// Waits for an event in the chat's room after <paramref name="head"/> that is not the waiting side's own typing
    /// (a visitor's keystrokes never wake their own poll); answers the room's newest event number seen.
    /// </summary>
    public static async Task<long> WaitAsync(IRoomTransport transport, RoomKey room, long head, TimeSpan wait, string side, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + wait;
        while (true)
        {
            var left = deadline - DateTimeOffset.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return head;
            }
            var events = await transport.ReadAsync(room, head, left, ct);
            if (events.Count == 0)
            {
                return head;
            }
            head = events[^1].Seq;
            if (events.Any(e => !(e.Type == "typing" && e.From == side)))
            {
                return head;
            }
        }
    }

    /// <summary>The customer's join link of a video invitation message (null for other messages, or when the appointment is gone or over).</summary>
    public static async Task<string?> MeetingUrlAsync(AppointmentStore appointments, HttpContext http, string accountId, ConversationMessage m, CancellationToken ct)
    {
        if (m.AppointmentId is null || m.Author != MessageAuthor.Operator)
        {
            return null;
        }
        var a = await appointments.GetAsync(ChatService.TenantOf(accountId), m.AppointmentId, ct);
        return a is { Status: AppointmentStatus.Scheduled } ? appointments.JoinUrl(Hosting.PublicUrl.Of(http), a) : null;
    }
}

/// <summary>
/// The live chat's second part (docs/chat.md): presence for a closed launcher, typing and read marks both ways, the
/// visitor's e-mail and transcript, the link back from e-mails, operators' long poll and inbox, and the video invitation.
/// </summary>
public static class ChatLiveEndpoints
{
    public static readonly RateLimitPolicy Typing = new("ChatTyping", 300, TimeSpan.FromMinutes(10));
    public static readonly RateLimitPolicy Transcripts = new("ChatTranscripts", 5, TimeSpan.FromHours(1));
    public static readonly RateLimitPolicy Links = new("ChatLinks", 30, TimeSpan.FromMinutes(10));
    public static readonly TimeSpan VideoLength = TimeSpan.FromMinutes(30);

    public static IEndpointRouteBuilder MapChatLiveEndpoints(this IEndpointRouteBuilder api)
    {
        var chat = api.MapGroup("/chat/{key}").AllowAnonymous().WithTags("Website chat");
        chat.MapGet("/presence", PresenceAsync).RateLimitedPerClientInMemory(Presence.PresenceEndpoints.WidgetReads);
        chat.MapPost("/typing", VisitorTypingAsync).RateLimitedPerClientInMemory(Typing);
        chat.MapPost("/read", VisitorReadAsync).RateLimitedPerClientInMemory(Typing);
        chat.MapPost("/contact", ContactAsync).RateLimitedPerClient(ChatEndpoints.Messages);
        chat.MapPost("/transcript", TranscriptAsync).RateLimitedPerClient(Transcripts);
        api.MapPost("/chat/link", LinkAsync).AllowAnonymous().RateLimitedPerClient(Links).WithTags("Website chat");

        api.MapGet("/cases/{caseId}/conversation/events", OperatorEventsAsync).RequireAuthorization().WithTags("Cases");
        api.MapPost("/cases/{caseId}/conversation/typing", OperatorTypingAsync).RequireAuthorization().WithTags("Cases");
        api.MapPost("/cases/{caseId}/conversation/read", OperatorReadAsync).RequireAuthorization().WithTags("Cases");
        api.MapPost("/cases/{caseId}/chat/video", VideoAsync).RequireAuthorization().WithTags("Cases");
        api.MapGet("/chat/inbox", InboxAsync).RequireAuthorization().WithTags("Website chat");
        return api;
    }

    private static IResult NoConversation() => TypedResults.Problem(L("Write a first message to start the conversation."),
        statusCode: StatusCodes.Status404NotFound, title: L("No conversation yet"));

    /// <summary>The visitor and their case, or the problem to answer.</summary>
    private static async Task<(ChatVisitor? Visitor, string? CaseId, IResult? Problem)> VisitorAsync(string key, HttpContext http, bool needsCase, CancellationToken ct)
    {
        var visitors = http.RequestServices.GetRequiredService<ChatVisitors>();
        if (visitors.Read(http.Request.Headers[ChatVisitors.Header], key) is not { } visitor)
        {
            return (null, null, TypedResults.Problem(L("Start a chat session first (header {0}).", ChatVisitors.Header),
                statusCode: StatusCodes.Status401Unauthorized, title: L("Chat session missing or expired")));
        }
        if (await http.RequestServices.GetRequiredService<ChatSettingsStore>().FindAsync(key, ct) is not { Enabled: true })
        {
            return (null, null, TypedResults.Problem(L("There is no website chat at this address, or it is switched off."),
                statusCode: StatusCodes.Status404NotFound, title: L("Chat not found")));
        }
        var caseId = await http.RequestServices.GetRequiredService<ChatService>().CaseOfAsync(visitor, ct);
        return needsCase && caseId is null ? (null, null, NoConversation()) : (visitor, caseId, null);
    }

    /// <summary><c>{ online }</c>: anyone of the account online; the same answer for unknown or switched-off chats (away).</summary>
    private static async Task<IResult> PresenceAsync(string key, HttpContext http, ChatSettingsStore store, ChatPresence presence, CancellationToken ct)
    {
        http.Response.Headers.CacheControl = "no-store";
        var online = AccountStore.IsId(key) && await store.FindAsync(key, ct) is { Enabled: true } && (await presence.OnlineOperatorsAsync(key, ct)).Count > 0;
        return TypedResults.Ok(new { online });
    }

    private static async Task<IResult> VisitorTypingAsync(string key, HttpContext http, ChatService chat, CancellationToken ct)
    {
        var (visitor, caseId, problem) = await VisitorAsync(key, http, needsCase: false, ct);
        if (problem is not null)
        {
            return problem;
        }
        if (caseId is not null)
        {
            await chat.TypingAsync(visitor!.AccountId, caseId, visitor.VisitorId, visitor: true, ct);
        }
        return TypedResults.NoContent();
    }

    private static async Task<IResult> VisitorReadAsync(string key, ChatReadRequest request, HttpContext http, ChatService chat, CancellationToken ct)
    {
        if (request.Seq is not > 0)
        {
            return Validation.Single("seq", L("Use a number of 1 or more."));
        }
        var (visitor, caseId, problem) = await VisitorAsync(key, http, needsCase: true, ct);
        if (problem is not null)
        {
            return problem;
        }
        await chat.VisitorReadAsync(visitor!, caseId!, request.Seq.Value, ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> ContactAsync(string key, ChatContactRequest request, HttpContext http, ChatService chat, CancellationToken ct)
    {
        var v = new Validation();
        var email = v.Email("email", request.Email, required: true);
        if (!v.IsValid)
        {
            return v.Problem();
        }
        var (visitor, caseId, problem) = await VisitorAsync(key, http, needsCase: true, ct);
        if (problem is not null)
        {
            return problem;
        }
        return await chat.SetEmailAsync(visitor!, caseId!, email!, ct) switch
        {
            true => TypedResults.NoContent(),
            false => Validation.Single("email", L("This conversation already has an e-mail address."), StatusCodes.Status409Conflict, L("Already set")),
            null => NoConversation(),
        };
    }

    private static async Task<IResult> TranscriptAsync(string key, ChatTranscriptRequest request, HttpContext http, ChatNotices notices, CaseStore cases,
        CancellationToken ct)
    {
        var v = new Validation();
        var email = v.Email("email", request.Email, required: false);
        if (!v.IsValid)
        {
            return v.Problem();
        }
        var (visitor, caseId, problem) = await VisitorAsync(key, http, needsCase: true, ct);
        if (problem is not null)
        {
            return problem;
        }
        if (await cases.GetAsync(ChatService.TenantOf(visitor!.AccountId), caseId!, ct) is not { } c)
        {
            return NoConversation();
        }
        var to = email ?? c.Email;
        if (to is null)
        {
            return Validation.Single("email", L("Enter your e-mail address."));
        }
        await notices.TranscriptAsync(c, to, ct);
        return TypedResults.Accepted((string?)null);
    }

    private static async Task<IResult> LinkAsync(ChatLinkRequest request, HttpContext http, ChatVisitors visitors, ChatSettingsStore store, ChatService chat,
        CancellationToken ct)
    {
        if (visitors.ReadLink(request.Token) is not { } visitor || await store.FindAsync(visitor.AccountId, ct) is not { Enabled: true } settings)
        {
            return TypedResults.Problem(L("This link is not valid any more. Open the chat on the website again."),
                statusCode: StatusCodes.Status404NotFound, title: L("Link not valid"));
        }
        var session = await chat.SessionViewAsync(visitor, settings, visitors.Issue(visitor), ct);
        return TypedResults.Ok(new ChatLinkView(visitor.AccountId, session));
    }

    /// <summary>A website-chat case the caller may see, with its visitor; null when not found or not a chat.</summary>
    private static async Task<(Case Case, string VisitorId)?> ChatCaseAsync(string caseId, Tenant tenant, CaseStore cases, CaseRules rules, ChatService chat, CancellationToken ct)
    {
        if (await cases.GetAsync(tenant, caseId, ct) is not { } c || !await rules.CanSeeAsync(tenant, c, ct))
        {
            return null;
        }
        return await chat.VisitorOfAsync(tenant.AccountId, c.Id, ct) is { } visitorId ? (c, visitorId) : null;
    }

    private static async Task<IResult> OperatorEventsAsync(string caseId, long? after, long? state, Tenant tenant, CaseStore cases, CaseRules rules, ChatService chat,
        ConversationStore conversations, IRoomTransport transport, RoomStore rooms, IConfiguration configuration, TimeProvider time, CancellationToken ct)
    {
        if (after is < 0 || state is < 0)
        {
            return Validation.Single(after is < 0 ? "after" : "state", L("Use a number of 0 or more."));
        }
        if (await cases.GetAsync(tenant, caseId, ct) is not { } c || !await rules.CanSeeAsync(tenant, c, ct))
        {
            return TypedResults.NotFound();
        }
        var from = after ?? 0;
        var visitorId = await chat.VisitorOfAsync(tenant.AccountId, c.Id, ct);
        if (visitorId is null)
        {
            // Not a website chat: nothing live to wait for; answer the conversation as it is.
            return TypedResults.Ok(await ReadAsync(0));
        }
        var room = ChatService.Room(tenant.AccountId, visitorId);
        var head = await SequencedLog.LastAsync(rooms.Table, room.Partition, ct);
        var answer = await ReadAsync(head);
        if (answer.Next > from || (state is { } known && head > known))
        {
            return TypedResults.Ok(answer);
        }
        var woke = await ChatLive.WaitAsync(transport, room, head, configuration.GetValue<TimeSpan?>("Chat:PollWait") ?? ChatEndpoints.DefaultPollWait, ChatLive.OperatorSide, ct);
        return TypedResults.Ok(await ReadAsync(woke));

        async Task<OperatorChatEventsView> ReadAsync(long roomHead)
        {
            var messages = await conversations.ListAsync(tenant.AccountId, c.Id, from, 200, ct);
            var live = visitorId is null ? ChatState.Empty : await chat.States.GetAsync(tenant.AccountId, c.Id, ct);
            var now = time.GetUtcNow();
            return new OperatorChatEventsView([.. messages.Select(ConversationMessageView.From)], messages.Count > 0 ? messages[^1].Seq : from,
                live.VisitorTyping(now), live.VisitorRead, live.VisitorOnline(now), roomHead);
        }
    }

    private static async Task<IResult> OperatorTypingAsync(string caseId, Tenant tenant, CaseStore cases, CaseRules rules, ChatService chat, CancellationToken ct)
    {
        if (await cases.GetAsync(tenant, caseId, ct) is not { } c || !await rules.CanSeeAsync(tenant, c, ct))
        {
            return TypedResults.NotFound();
        }
        if (await chat.VisitorOfAsync(tenant.AccountId, c.Id, ct) is { } visitorId)
        {
            await chat.TypingAsync(tenant.AccountId, c.Id, visitorId, visitor: false, ct);
        }
        return TypedResults.NoContent();
    }

    private static async Task<IResult> OperatorReadAsync(string caseId, Tenant tenant, CaseStore cases, CaseRules rules, ChatService chat, CancellationToken ct)
    {
        if (await cases.GetAsync(tenant, caseId, ct) is not { } c || !await rules.CanSeeAsync(tenant, c, ct))
        {
            return TypedResults.NotFound();
        }
        await chat.OperatorReadAsync(tenant, c, ct);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// "Invite to a video call": an individual appointment from now (no invitation, the account's PIN policy), posted in
    /// the chat as the operator's message carrying the customer's link, which the widget opens in its panel.
    /// </summary>
    private static async Task<IResult> VideoAsync(string caseId, HttpContext http, Tenant tenant, CaseStore cases, CaseRules rules, ChatService chat,
        AccountStore accounts, AppointmentStore appointments, TimeProvider time, CancellationToken ct)
    {
        if (tenant.OperatorId is not { } operatorId)
        {
            return Validation.Single("operator", L("Only a signed-in person can invite to a video call."), StatusCodes.Status403Forbidden, L("Not allowed"));
        }
        if (await ChatCaseAsync(caseId, tenant, cases, rules, chat, ct) is not { } found)
        {
            return await cases.GetAsync(tenant, caseId, ct) is { } other && await rules.CanSeeAsync(tenant, other, ct)
                ? Validation.Single("caseId", L("Only a website chat can be invited to a video call from here."), StatusCodes.Status409Conflict, L("Not a website chat"))
                : TypedResults.NotFound();
        }
        var account = (await accounts.GetSettingsAsync(tenant, ct))!;
        var op = await accounts.GetOperatorAsync(tenant, operatorId, ct);
        var now = time.GetUtcNow();
        var pinProtected = account.PinPolicy == PinPolicy.Mandatory;
        var entry = new HistoryEntry(now, "scheduled", operatorId, now, now + VideoLength, null, null);
        var invitation = new InvitationRequest(false, false, found.Case.Language);
        try
        {
            var (_, appointment) = await appointments.BookAsync(tenant, found.Case,
                c => new Appointment(SecureTokens.NewId(), tenant.AccountId, c.Id, AppointmentType.Individual, now, now + VideoLength, account.TimeZone, [operatorId],
                    invitation, pinProtected, pinProtected ? MeetingSecrets.NewPin() : null, MeetingSecrets.NewJoinToken(), AppointmentStatus.Scheduled,
                    [entry with { Invitation = invitation }], now, now),
                c => c, ct);
            var language = found.Case.Language;
            var text = ChatTexts.Get(language, "videoInvite", ("operatorName", op?.Name ?? account.BusinessName))
                + (appointment.Pin is { } pin ? " " + ChatTexts.Get(language, "pin", ("pin", pin)) : "");
            var (message, _) = await chat.AppendOperatorMessageAsync(tenant, found.Case, op?.Name ?? "", text, "video-" + appointment.Id, ct, appointment.Id);
            return TypedResults.Created($"/api/appointments/{appointment.Id}",
                new ChatVideoView(appointment.Id, appointments.JoinUrl(Hosting.PublicUrl.Of(http), appointment), ConversationMessageView.From(message)));
        }
        catch (OverlapException ex)
        {
            return AppointmentEndpoints.Busy(ex, account);
        }
    }

    /// <summary>The chats with unread messages the operator may see; a long poll on the account's chat inbox.</summary>
    private static async Task<IResult> InboxAsync(long? after, Tenant tenant, CaseStore cases, CaseRules rules, IRoomTransport transport, RoomStore rooms,
        IConfiguration configuration, CancellationToken ct)
    {
        if (after is < 0)
        {
            return Validation.Single("after", L("Use a number of 0 or more."));
        }
        var room = ChatService.Inbox(tenant.AccountId);
        var head = await SequencedLog.LastAsync(rooms.Table, room.Partition, ct);
        if (after is { } known && head <= known)
        {
            var events = await transport.ReadAsync(room, head, configuration.GetValue<TimeSpan?>("Chat:PollWait") ?? ChatEndpoints.DefaultPollWait, ct);
            head = events.Count > 0 ? events[^1].Seq : head;
        }
        var restricted = await rules.ListRestrictionAsync(tenant, ct);
        var unread = (await cases.ChatsAsync(tenant.AccountId, unreadOnly: true, 500, ct))
            .Where(s => restricted is null || s.AssignedOperatorIds.Contains(restricted))
            .ToList();
        return TypedResults.Ok(new ChatInboxView([.. unread.Take(50).Select(s => new ChatInboxItem(s.Id, s.Number, s.Name, s.UnreadMessages, s.UpdatedAt))], unread.Count, head));
    }
}
