using System.Diagnostics;
using System.Text.Json;
using Azure;
using Microsoft.Extensions.Options;
using Parley.Functions.Appointments;
using Parley.Functions.Cases;
using Parley.Functions.Common;
using Parley.Functions.Conversations;
using Parley.Functions.Identity;
using Parley.Functions.Meetings.Media;
using Parley.Functions.RateLimiting;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Meetings;

public sealed record MeetingLinkInput(string? Token);

public sealed record JoinInput(string? Token, string? Pin, string? Name);

public sealed record ChatInput(string? ClientId, string? Text);

public sealed record SignalInput(string? To, JsonElement? Data);

public sealed record MediaStateInput(bool? Ready);

public sealed record LocationInput(double? Latitude, double? Longitude, double? Accuracy, bool? Refused);

public sealed record AdmitInput(string? ParticipantId);

public sealed record LeaveInput(string? Session);

/// <summary>A chat message as the room shows it (plain text; pages render it as text, never as HTML).</summary>
public sealed record ChatView(string Id, long Seq, DateTimeOffset At, string Author, string AuthorName, string? ParticipantId, string Text)
{
    public static ChatView From(ConversationMessage m) => new(m.Id, m.Seq, m.At, Wire.Name(m.Author), m.AuthorName, m.ParticipantId, m.Text);
}

/// <summary>
/// The customer's side of the meeting room (<c>/meet#token</c>) and the room API both sides use once inside, with the
/// meeting session in the <c>X-Meeting-Session</c> header. Joining checks the link token and, for protected meetings,
/// the code (<see cref="PinGuard"/>); every failure of that check answers the same 401 body after the same
/// <see cref="MeetingOptions.FailureDelay"/>, whatever failed.
/// </summary>
public static class MeetingEndpoints
{
    public static readonly RateLimitPolicy OpenPerAddress = new("MeetOpen", 60, TimeSpan.FromMinutes(10));
    public static readonly RateLimitPolicy JoinPerAddress = new("MeetJoin", 20, TimeSpan.FromMinutes(10));
    public static readonly RateLimitPolicy JoinGlobal = new("MeetJoinGlobal", 3000, TimeSpan.FromMinutes(1));

    /// <summary>The one answer for every failed link or code check: same status, same bytes.</summary>
    public const string FailureBody =
        "{\"type\":\"https://parley.app/problems/meeting-link\",\"title\":\"Link or code not valid\",\"status\":401,\"detail\":\"Check the link and the code in your invitation. If it still does not work, ask your adviser for a new invitation.\"}";

    private const int MaxSignalBytes = 48 * 1024;

    public static IEndpointRouteBuilder MapMeetingEndpoints(this IEndpointRouteBuilder api)
    {
        var meet = api.MapGroup("/meet").AllowAnonymous().WithTags("Meeting room");
        meet.MapPost("/intro", IntroAsync).AddEndpointFilter(StampArrival).RateLimitedPerClient(OpenPerAddress);
        meet.MapPost("/join", JoinAsync).AddEndpointFilter(StampArrival).RateLimitedPerClient(JoinPerAddress);
        meet.MapGet("/room", RoomAsync);
        meet.MapGet("/events", EventsAsync);
        meet.MapPost("/chat", ChatAsync);
        meet.MapPost("/signal", SignalAsync);
        meet.MapPost("/media", MediaAsync);
        meet.MapPost("/media/refresh", MediaRefreshAsync);
        meet.MapPost("/media-state", MediaStateAsync);
        meet.MapPost("/location", LocationAsync);
        meet.MapPost("/leave", LeaveAsync);
        meet.MapPost("/admit", AdmitAsync);
        meet.MapPost("/request-location", RequestLocationAsync);
        meet.MapPost("/end", EndAsync);
        return api;
    }

    // ---- the join check ----

    /// <summary>Notes when the request arrived, before the rate limiter, so the failure delay covers all the work a failure took.</summary>
    private static ValueTask<object?> StampArrival(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        context.HttpContext.Items[typeof(MeetingEndpoints)] = Stopwatch.StartNew();
        return next(context);
    }

    private static Stopwatch Arrival(HttpContext http) => http.Items[typeof(MeetingEndpoints)] as Stopwatch ?? Stopwatch.StartNew();

    /// <summary>What the page may show before the code: the business's name, the language, and what to ask for.</summary>
    private static async Task<IResult> IntroAsync(MeetingLinkInput input, HttpContext http, MeetingLinks links, AppointmentStore appointments, Accounts.AccountStore accounts,
        MeetingRoom room, TableRateLimiter limiter, ILoggerFactory logs, CancellationToken ct)
    {
        var clock = Arrival(http);
        if (await GlobalLimitAsync(http, limiter, logs, ct) is { } refused)
        {
            return refused;
        }
        if (await ResolveAsync(input.Token, links, appointments, room, ct) is not { } a
            || await accounts.GetSettingsAsync(Tenant(a.AccountId), ct) is not { } account)
        {
            return await FailAsync(clock, room.Options);
        }
        return TypedResults.Ok(new
        {
            account.BusinessName,
            a.Invitation.Language,
            PinRequired = a.PinProtected,
            NameRequired = a.Type == AppointmentType.Group,
        });
    }

    private static async Task<IResult> JoinAsync(JoinInput input, HttpContext http, MeetingLinks links, AppointmentStore appointments, CaseStore cases,
        Accounts.AccountStore accounts, MeetingRoom room, RoomStore rooms, PinGuard pins, MeetingSessions sessions, IRoomTransport transport,
        CustomerPresence presence, TableRateLimiter limiter, Webhooks.WebhookPublisher webhooks, TimeProvider time, ILoggerFactory logs, CancellationToken ct)
    {
        var clock = Arrival(http);
        if (await GlobalLimitAsync(http, limiter, logs, ct) is { } refused)
        {
            return refused;
        }
        var a = await ResolveAsync(input.Token, links, appointments, room, ct);
        if (a is null)
        {
            return await FailAsync(clock, room.Options);
        }
        if (a.PinProtected)
        {
            var guess = input.Pin?.Trim() ?? "";
            if (guess.Length != 6 || !guess.All(char.IsAsciiDigit) || await pins.CheckAsync(a, guess, ct) != PinVerdict.Correct)
            {
                logs.CreateLogger("Parley.Meetings.Join").LogInformation("Meeting join refused for appointment {AppointmentId} (account {AccountId}) from {Client}",
                    a.Id, a.AccountId, ClientAddress.RateLimitKey(http));
                return await FailAsync(clock, room.Options);
            }
        }
        var tenant = Tenant(a.AccountId);
        var c = await cases.GetAsync(tenant, a.CaseId, ct);
        var account = await accounts.GetSettingsAsync(tenant, ct);
        if (c is null || account is null)
        {
            return await FailAsync(clock, room.Options);
        }
        var v = new Validation();
        var name = a.Type == AppointmentType.Group ? v.Text("name", input.Name, 60) : c.Name;
        if (!v.IsValid)
        {
            return v.Problem();
        }
        var key = new RoomKey(a.AccountId, a.Id);
        var participant = await rooms.AddParticipantAsync(key, new Participant(SecureTokens.NewId(), a.Type == AppointmentType.Group ? ParticipantRole.Guest : ParticipantRole.Customer,
            name!, null, false, false, time.GetUtcNow()), ct);
        var session = new MeetingSession(a.AccountId, a.Id, a.CaseId, participant.Id, participant.Role);
        var sealedSession = sessions.Issue(session, room.SessionExpiry(a));
        var ctx = new RoomContext(session, a, c, account, await rooms.GetRoomAsync(key, ct), participant);
        var state = room.StateOf(a, account, ctx.Room, participant);
        if (state is not (RoomState.Ended or RoomState.Cancelled))
        {
            await presence.SeenAsync(session, participant.Name, waiting: true, ct);
            await transport.PublishAsync(key, "joined", RoomEvent.ToOperators, participant.Id, MeetingRoom.View(participant), ct);
            if (participant.Role == ParticipantRole.Customer)
            {
                await webhooks.PublishAsync(a.AccountId, Webhooks.WebhookEventTypes.CustomerOnline,
                    new Webhooks.CustomerOnlineEventData(a.CaseId, a.Id, !participant.Admitted, time.GetUtcNow()), ct);
            }
        }
        return TypedResults.Ok(new { session = sealedSession, room = await room.ViewAsync(ctx, null, ct) });
    }

    /// <summary>The appointment behind a link, unless the link is unknown or expired.</summary>
    private static async Task<Appointment?> ResolveAsync(string? token, MeetingLinks links, AppointmentStore appointments, MeetingRoom room, CancellationToken ct)
    {
        var found = await links.ResolveAsync(token, ct);
        var a = found is { } f ? await appointments.GetAsync(Tenant(f.AccountId), f.AppointmentId, ct) : null;
        return a is not null && SecureTokens.FixedTimeEquals(a.JoinToken, token!) && !room.LinkExpired(a) ? a : null;
    }

    private static async Task<IResult> FailAsync(Stopwatch clock, MeetingOptions options)
    {
        var left = options.FailureDelay - clock.Elapsed;
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left, CancellationToken.None);
        }
        return Results.Text(FailureBody, "application/problem+json", System.Text.Encoding.UTF8, StatusCodes.Status401Unauthorized);
    }

    /// <summary>All join attempts together, whoever sends them: a spray over many meetings trips this and is logged.</summary>
    private static async Task<IResult?> GlobalLimitAsync(HttpContext http, TableRateLimiter limiter, ILoggerFactory logs, CancellationToken ct)
    {
        var policy = JoinGlobal.WithConfiguration(http.RequestServices.GetRequiredService<IConfiguration>());
        try
        {
            var decision = await limiter.HitAsync(policy.Name, "all", policy.Limit, policy.Window, ct);
            if (decision.Allowed)
            {
                return null;
            }
            logs.CreateLogger("Parley.Meetings.Join").LogWarning("Global meeting join limit reached ({Limit} per {Window}); refusing joins for {RetryAfter}",
                policy.Limit, policy.Window, decision.RetryAfter);
            return RateLimitEndpointExtensions.TooMany(http, decision.RetryAfter, L("Too many requests from your network. Please wait a moment and try again."));
        }
        catch (RateLimiterUnavailableException)
        {
            return RateLimitEndpointExtensions.TooBusy();
        }
    }

    // ---- inside the room ----

    private static async Task<IResult> RoomAsync(HttpContext http, MeetingRoom room, CustomerPresence presence, PinGuard pins, CancellationToken ct)
    {
        if (await room.LoadAsync(http.Request.Headers[MeetingSessions.Header], ct) is not { } ctx)
        {
            return SessionEnded();
        }
        await SeenAsync(ctx, room, presence, ct);
        return TypedResults.Ok(await room.ViewAsync(ctx, ctx.Session.IsOperator ? await pins.IsLockedAsync(ctx.Appointment, ct) : null, ct));
    }

    /// <summary>A long poll: the events after <paramref name="after"/> this participant may see, the cursor to ask from next, and the state now.</summary>
    private static async Task<IResult> EventsAsync(long? after, HttpContext http, MeetingRoom room, RoomStore rooms, IRoomTransport transport, CustomerPresence presence,
        CancellationToken ct)
    {
        var header = http.Request.Headers[MeetingSessions.Header].ToString();
        if (await room.LoadAsync(header, ct) is not { } ctx)
        {
            return SessionEnded();
        }
        if (after is < 0)
        {
            return Validation.Single("after", L("Use a number of 0 or more."));
        }
        await SeenAsync(ctx, room, presence, ct);
        var state = room.StateOf(ctx.Appointment, ctx.Account, ctx.Room, ctx.Participant);
        var wait = state is RoomState.Ended or RoomState.Cancelled ? TimeSpan.Zero : room.Options.PollWait;
        var events = await transport.ReadAsync(ctx.Key, after ?? 0, wait, ct);
        if (events.Count > 0)
        {
            // Someone may have let this participant in (or ended the room) while the poll waited.
            ctx = await room.LoadAsync(header, ct) ?? ctx;
            state = room.StateOf(ctx.Appointment, ctx.Account, ctx.Room, ctx.Participant);
        }
        var admitted = ctx.Participant.Admitted;
        return TypedResults.Ok(new
        {
            events = events.Where(e => MeetingRoom.Visible(e, ctx.Session, admitted)).Select(e => new { e.Seq, e.Type, e.From, e.At, e.Data }),
            cursor = events.Count > 0 ? events[^1].Seq : after ?? 0,
            state = Wire.Name(state),
        });
    }

    private static async Task<IResult> ChatAsync(ChatInput input, HttpContext http, MeetingRoom room, ConversationStore conversations, IRoomTransport transport, CancellationToken ct)
    {
        var (ctx, refusal) = await OpenAsync(http, room, video: false, ct);
        if (ctx is null)
        {
            return refusal!;
        }
        var v = new Validation();
        var text = v.Text("text", input.Text, ConversationStore.MaxLength, multiLine: true);
        var clientId = ClientId(v, input.ClientId);
        if (!v.IsValid)
        {
            return v.Problem();
        }
        var (message, _) = await conversations.AppendAsync(ctx.Session.AccountId, ctx.Session.CaseId,
            ctx.Session.IsOperator ? MessageAuthor.Operator : MessageAuthor.Customer, ctx.Participant.Name, ctx.Participant.Id, text!, "meeting", ctx.Session.AppointmentId,
            ctx.Participant.Id + ":" + clientId, ct);
        var view = ChatView.From(message);
        // Published again on a retry too (the first publish may be what failed); pages drop a message id they already show.
        await transport.PublishAsync(ctx.Key, "chat", null, ctx.Participant.Id, view, ct);
        return TypedResults.Ok(view);
    }

    private static async Task<IResult> SignalAsync(SignalInput input, HttpContext http, MeetingRoom room, RoomStore rooms, IRoomTransport transport, CancellationToken ct)
    {
        // The body's shape first (as a binding error would be), then who is asking.
        if (input.Data is not { ValueKind: JsonValueKind.Object } data || data.GetRawText().Length > MaxSignalBytes)
        {
            return Validation.Single("data", L("Send a JSON object of at most {0} KB.", MaxSignalBytes / 1024));
        }
        var (ctx, refusal) = await OpenAsync(http, room, video: true, ct);
        if (ctx is null)
        {
            return refusal!;
        }
        if (input.To is not { Length: > 0 and <= 40 } to || await rooms.GetParticipantAsync(ctx.Key, to, ct) is not { Left: false })
        {
            return Validation.Single("to", L("Choose someone in this meeting."));
        }
        await transport.PublishAsync(ctx.Key, "signal", input.To, ctx.Participant.Id, input.Data!.Value, ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> MediaAsync(HttpContext http, MeetingRoom room, IMeetingMedia media, CancellationToken ct) =>
        await MediaCredentialsAsync(http, room, (r, p) => media.JoinAsync(r, p, ct), ct);

    private static async Task<IResult> MediaRefreshAsync(HttpContext http, MeetingRoom room, IMeetingMedia media, CancellationToken ct) =>
        await MediaCredentialsAsync(http, room, (r, p) => media.RefreshAsync(r, p, ct), ct);

    /// <summary>Media credentials only for people let in (after the code check), only in video meetings.</summary>
    private static async Task<IResult> MediaCredentialsAsync(HttpContext http, MeetingRoom room, Func<MediaRoom, MediaParticipant, Task<System.Text.Json.Nodes.JsonObject>> issue, CancellationToken ct)
    {
        var (ctx, refusal) = await OpenAsync(http, room, video: true, ct);
        if (ctx is null)
        {
            return refusal!;
        }
        var a = ctx.Appointment;
        try
        {
            return TypedResults.Ok(await issue(new MediaRoom(a.AccountId, a.Id, room.OpensAt(a, ctx.Account), a.End + room.Options.EndsAfter),
                new MediaParticipant(ctx.Participant.Id, ctx.Session.IsOperator, ctx.Participant.Name)));
        }
        catch (Media.Acs.MeetingMediaException ex)
        {
            return MediaProblem(http, ex);
        }
    }

    private static async Task<IResult> MediaStateAsync(MediaStateInput input, HttpContext http, MeetingRoom room, IRoomTransport transport, CancellationToken ct)
    {
        var (ctx, refusal) = await InsideAsync(http, room, ct);
        if (ctx is null)
        {
            return refusal!;
        }
        if (ctx.ChatOnly)
        {
            return Validation.Single("ready", L("This meeting is chat only."), StatusCodes.Status409Conflict, L("Chat only"));
        }
        await transport.PublishAsync(ctx.Key, "media", null, ctx.Participant.Id, new { participantId = ctx.Participant.Id, ready = input.Ready ?? false }, ct);
        return TypedResults.NoContent();
    }

    /// <summary>The customer's answer to "Request location": a position (saved on the case) or a refusal; operators see either.</summary>
    private static async Task<IResult> LocationAsync(LocationInput input, HttpContext http, MeetingRoom room, CaseStore cases, IRoomTransport transport, TimeProvider time,
        CancellationToken ct)
    {
        // The body's shape first (as a binding error would be), then who is asking.
        var v = new Validation();
        if (input.Refused != true)
        {
            if (input.Latitude is not { } lat || !double.IsFinite(lat) || lat is < -90 or > 90)
            {
                v.Add("latitude", L("Use a latitude from -90 to 90."));
            }
            if (input.Longitude is not { } lon || !double.IsFinite(lon) || lon is < -180 or > 180)
            {
                v.Add("longitude", L("Use a longitude from -180 to 180."));
            }
            if (input.Accuracy is { } acc && (!double.IsFinite(acc) || acc is < 0 or > 1_000_000))
            {
                v.Add("accuracy", L("Use an accuracy in metres from 0 to 1,000,000."));
            }
        }
        if (!v.IsValid)
        {
            return v.Problem();
        }
        var (ctx, refusal) = await InsideAsync(http, room, ct);
        if (ctx is null)
        {
            return refusal!;
        }
        if (ctx.Session.IsOperator || !ctx.Account.LocationSharing)
        {
            return Validation.Single("latitude", L("This meeting does not ask for locations."), StatusCodes.Status409Conflict, L("Location sharing is off"));
        }
        if (input.Refused == true)
        {
            await transport.PublishAsync(ctx.Key, "location", RoomEvent.ToOperators, ctx.Participant.Id, new { participantId = ctx.Participant.Id, name = ctx.Participant.Name, shared = false }, ct);
            return TypedResults.NoContent();
        }
        var location = new CustomerLocation(input.Latitude!.Value, input.Longitude!.Value, input.Accuracy, time.GetUtcNow());
        for (var attempt = 0; ; attempt++)
        {
            var before = await cases.GetAsync(ctx.Tenant, ctx.Session.CaseId, ct);
            if (before is null)
            {
                return SessionEnded();
            }
            try
            {
                await cases.SaveAsync(before, before with { SharedLocation = location, UpdatedAt = time.GetUtcNow() }, ct);
                break;
            }
            catch (RequestFailedException ex) when (ex.Status == 412 && attempt < 10)
            {
            }
        }
        await transport.PublishAsync(ctx.Key, "location", RoomEvent.ToOperators, ctx.Participant.Id, new
        {
            participantId = ctx.Participant.Id,
            name = ctx.Participant.Name,
            shared = true,
            location.Latitude,
            location.Longitude,
            accuracyMeters = location.AccuracyMeters,
            location.At,
            location.MapUrl,
        }, ct);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// The page is going away (the browser's page-hide beacon, which cannot set headers, so the session may come in the
    /// body): the customer is Away at once and the others drop their connection. A reload simply comes back.
    /// </summary>
    private static async Task<IResult> LeaveAsync(HttpContext http, MeetingSessions sessions, CustomerPresence presence, IRoomTransport transport, CancellationToken ct)
    {
        string? sealedSession = http.Request.Headers[MeetingSessions.Header];
        if (string.IsNullOrEmpty(sealedSession) && http.Request.ContentLength is null or > 0)
        {
            try
            {
                // A beacon sends text/plain (the one type every browser lets sendBeacon use); the body is JSON all the same.
                sealedSession = (await JsonSerializer.DeserializeAsync<LeaveInput>(http.Request.Body, JsonSerializerOptions.Web, ct))?.Session;
            }
            catch (JsonException)
            {
                return Validation.Single("session", L("Send the meeting session."));
            }
        }
        if (sessions.Read(sealedSession) is not { } s)
        {
            return SessionEnded();
        }
        await presence.GoneAsync(s.AccountId, s.CaseId, s.AppointmentId, s.ParticipantId, ct);
        await transport.PublishAsync(new RoomKey(s.AccountId, s.AppointmentId), "left", null, s.ParticipantId, new { participantId = s.ParticipantId }, ct);
        return TypedResults.NoContent();
    }

    // ---- the operator's controls ----

    private static async Task<IResult> AdmitAsync(AdmitInput input, HttpContext http, MeetingRoom room, RoomStore rooms, IRoomTransport transport, CancellationToken ct)
    {
        var (ctx, refusal) = await OperatorAsync(http, room, ct);
        if (ctx is null)
        {
            return refusal!;
        }
        if (Closed(room, ctx) is { } closed)
        {
            return closed;
        }
        if (input.ParticipantId is not { Length: > 0 and <= 40 } id || await rooms.GetParticipantAsync(ctx.Key, id, ct) is not { Left: false } guest)
        {
            return Validation.Single("participantId", L("Choose someone who is waiting."));
        }
        if (!guest.Admitted)
        {
            var inside = (await rooms.ListParticipantsAsync(ctx.Key, ct)).Count(p => !p.Left && (p.Admitted || p.Role == ParticipantRole.Operator));
            var max = room.MaxParticipants(ctx.Account);
            if (inside >= max)
            {
                return Validation.Single("participantId", L("The meeting is full: at most {0} people can take part.", max), StatusCodes.Status409Conflict, L("Meeting full"));
            }
            guest = await rooms.UpdateParticipantAsync(ctx.Key, id, p => p with { Admitted = true }, ct) ?? guest;
        }
        await transport.PublishAsync(ctx.Key, "admitted", RoomEvent.ToEveryone, ctx.Participant.Id, MeetingRoom.View(guest), ct);
        return TypedResults.Ok(MeetingRoom.View(guest));
    }

    private static async Task<IResult> RequestLocationAsync(HttpContext http, MeetingRoom room, IRoomTransport transport, CancellationToken ct)
    {
        var (ctx, refusal) = await OperatorAsync(http, room, ct);
        if (ctx is null)
        {
            return refusal!;
        }
        if (!ctx.Account.LocationSharing)
        {
            return Validation.Single("locationSharing", L("Location sharing is switched off for your account. An administrator can switch it on in the account settings."),
                StatusCodes.Status409Conflict, L("Location sharing is off"));
        }
        if (Closed(room, ctx) is { } closed)
        {
            return closed;
        }
        await transport.PublishAsync(ctx.Key, "locationRequested", null, ctx.Participant.Id, new { by = ctx.Participant.Name }, ct);
        return TypedResults.NoContent();
    }

    /// <summary>Ends the meeting for everyone: the pages show "ended", customers are Away, the media provider's room is closed.</summary>
    private static async Task<IResult> EndAsync(HttpContext http, MeetingRoom room, RoomStore rooms, IRoomTransport transport, CustomerPresence presence, IMeetingMedia media,
        TimeProvider time, CancellationToken ct)
    {
        var (ctx, refusal) = await OperatorAsync(http, room, ct);
        if (ctx is null)
        {
            return refusal!;
        }
        var a = ctx.Appointment;
        await rooms.EndAsync(ctx.Key, a.Start, time.GetUtcNow(), ct);
        await transport.PublishAsync(ctx.Key, "ended", RoomEvent.ToEveryone, ctx.Participant.Id, new { by = ctx.Participant.Name }, ct);
        foreach (var p in await rooms.ListParticipantsAsync(ctx.Key, ct))
        {
            await presence.GoneAsync(a.AccountId, a.CaseId, a.Id, p.Id, ct);
        }
        try
        {
            await media.EndAsync(new MediaRoom(a.AccountId, a.Id, room.OpensAt(a, ctx.Account), a.End + room.Options.EndsAfter), ct);
        }
        catch (Media.Acs.MeetingMediaException ex)
        {
            // The room is closed to joins already; the provider's cleanup deletes what is left at the end of the window.
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Parley.Meetings.End")
                .LogWarning(ex, "Media room of appointment {AppointmentId} not closed yet; its cleanup finishes it", a.Id);
        }
        return TypedResults.NoContent();
    }

    // ---- helpers ----

    private static Tenant Tenant(string accountId) => new(accountId, null, Accounts.OperatorRole.Administrator, "meeting");

    private static async Task SeenAsync(RoomContext ctx, MeetingRoom room, CustomerPresence presence, CancellationToken ct)
    {
        if (!ctx.Session.IsOperator && room.StateOf(ctx.Appointment, ctx.Account, ctx.Room, ctx.Participant) is not (RoomState.Ended or RoomState.Cancelled))
        {
            await presence.SeenAsync(ctx.Session, ctx.Participant.Name, waiting: !ctx.Participant.Admitted, ct);
        }
    }

    /// <summary>A participant who was let in (operators always are), or why not: no session (401), still waiting (409).</summary>
    private static async Task<(RoomContext? Context, IResult? Refusal)> InsideAsync(HttpContext http, MeetingRoom room, CancellationToken ct)
    {
        if (await room.LoadAsync(http.Request.Headers[MeetingSessions.Header], ct) is not { } ctx)
        {
            return (null, SessionEnded());
        }
        return ctx.Participant.Admitted || ctx.Session.IsOperator
            ? (ctx, null)
            : (null, Validation.Single("state", L("Your adviser has not let you in yet."), StatusCodes.Status409Conflict, L("Waiting to be let in")));
    }

    /// <summary>Inside a meeting that is still on (not ended or cancelled) and, for <paramref name="video"/>, not chat-only; or why not.</summary>
    private static async Task<(RoomContext? Context, IResult? Refusal)> OpenAsync(HttpContext http, MeetingRoom room, bool video, CancellationToken ct)
    {
        var (ctx, refusal) = await InsideAsync(http, room, ct);
        if (ctx is null)
        {
            return (null, refusal);
        }
        if (Closed(room, ctx) is { } closed)
        {
            return (null, closed);
        }
        return video && ctx.ChatOnly
            ? (null, Validation.Single("mode", L("This meeting is chat only."), StatusCodes.Status409Conflict, L("Chat only")))
            : (ctx, null);
    }

    /// <summary>The operator of the room, or why not: no session (401), not an operator (403).</summary>
    private static async Task<(RoomContext? Context, IResult? Refusal)> OperatorAsync(HttpContext http, MeetingRoom room, CancellationToken ct)
    {
        if (await room.LoadAsync(http.Request.Headers[MeetingSessions.Header], ct) is not { } ctx)
        {
            return (null, SessionEnded());
        }
        return ctx.Session.IsOperator ? (ctx, null) : (null, OperatorsOnly());
    }

    private static IResult? Closed(MeetingRoom room, RoomContext ctx) =>
        room.StateOf(ctx.Appointment, ctx.Account, ctx.Room, ctx.Participant) switch
        {
            RoomState.Ended => Validation.Single("state", L("This meeting has ended."), StatusCodes.Status409Conflict, L("Meeting ended")),
            RoomState.Cancelled => Validation.Single("state", L("This appointment was cancelled."), StatusCodes.Status409Conflict, L("Appointment cancelled")),
            _ => null,
        };

    private static string? ClientId(Validation v, string? value)
    {
        if (value is not { Length: > 0 and <= 64 } id || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            v.Add("clientId", L("Send a message id of 1 to 64 letters, digits, '-' or '_'."));
            return null;
        }
        return id;
    }

    private static IResult MediaProblem(HttpContext http, Media.Acs.MeetingMediaException ex)
    {
        if (ex.RetryAfter is { } retry)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return TypedResults.Problem(ex.Detail, statusCode: ex.StatusCode, title: ex.Title, type: "https://parley.app/problems/meeting-media");
    }

    private static IResult SessionEnded() => TypedResults.Problem(L("You are not in this meeting (any more). Open the link from your invitation again."),
        statusCode: StatusCodes.Status401Unauthorized, title: L("Not in the meeting"), type: "https://parley.app/problems/meeting-session");

    private static IResult OperatorsOnly() => TypedResults.Problem(L("Only the adviser of this meeting can do that."),
        statusCode: StatusCodes.Status403Forbidden, title: L("Advisers only"));
}
