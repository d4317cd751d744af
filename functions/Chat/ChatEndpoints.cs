using System.Text.RegularExpressions;
using Parley.Functions.Accounts;
using Parley.Functions.Appointments;
using Parley.Functions.Cases;
using Parley.Functions.Common;
using Parley.Functions.Conversations;
using Parley.Functions.CustomFields;
using Parley.Functions.Identity;
using Parley.Functions.Meetings;
using Parley.Functions.RateLimiting;
using Parley.Functions.Storage;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Chat;

/// <summary>The website chat's API: the visitors' public side, administrators' settings and operators' answers (docs/chat.md).</summary>
public static partial class ChatEndpoints
{
    public static readonly RateLimitPolicy Sessions = new("ChatSessions", 60, TimeSpan.FromMinutes(10));
    public static readonly RateLimitPolicy Messages = new("ChatMessages", 120, TimeSpan.FromMinutes(10));
    public static readonly RateLimitPolicy Conversations = new("ChatConversations", 10, TimeSpan.FromHours(1));
    public static readonly RateLimitPolicy AccountConversations = new("ChatAccountConversations", 300, TimeSpan.FromHours(1));
    public static readonly RateLimitPolicy AccountMessages = new("ChatAccountMessages", 3000, TimeSpan.FromMinutes(10));
    public static readonly TimeSpan DefaultPollWait = TimeSpan.FromSeconds(25);

    /// <summary>Rows each chat count is spread over (see <see cref="TableRateLimiter.HitSpreadAsync"/>).</summary>
    public const int Shards = 16;
    public const int MaxGreetingLength = 300;
    public const int MaxReplyTimeLength = 100;
    public static readonly string[] ContactFields = ["name", "email", "phone"];

    public static IEndpointRouteBuilder MapChatEndpoints(this IEndpointRouteBuilder api)
    {
        var chat = api.MapGroup("/chat/{key}").AllowAnonymous().WithTags("Website chat");
        chat.MapPost("/session", SessionAsync).RateLimitedPerClient(Sessions);
        chat.MapPost("/messages", MessageAsync); // limited inside, under the visitor's gate (see MessageAsync)
        chat.MapGet("/events", EventsAsync);

        api.MapGet("/chat-settings", GetSettingsAsync).RequireAuthorization(ParleyPolicies.Administrator).WithTags("Website chat");
        api.MapPut("/chat-settings", PutSettingsAsync).RequireAuthorization(ParleyPolicies.Administrator).WithTags("Website chat");
        api.MapPost("/chat-settings/secret", RotateSecretAsync).RequireAuthorization(ParleyPolicies.Administrator).WithTags("Website chat");

        api.MapPost("/cases/{caseId}/conversation", ReplyAsync).RequireAuthorization().WithTags("Cases");
        return api;
    }

    private static IResult ChatNotFound() => TypedResults.Problem(L("There is no website chat at this address, or it is switched off."),
        statusCode: StatusCodes.Status404NotFound, title: L("Chat not found"));

    private static IResult NoVisitor() => TypedResults.Problem(L("Start a chat session first (header {0}).", ChatVisitors.Header),
        statusCode: StatusCodes.Status401Unauthorized, title: L("Chat session missing or expired"));

    private static async Task<ChatSettings?> EnabledAsync(string key, ChatSettingsStore store, CancellationToken ct) =>
        await store.FindAsync(key, ct) is { Enabled: true } settings ? settings : null;

    private static async Task<IResult> SessionAsync(string key, ChatSessionRequest request, HttpContext http, ChatSettingsStore store, ChatVisitors visitors,
        ChatService chat, CancellationToken ct)
    {
        var v = new Validation();
        var identifier = v.Text("identifier", request.Identifier, 200, required: false);
        var signature = v.Text("signature", request.Signature, 128, required: false);
        if (request.Token is { Length: > 2000 })
        {
            v.Add("token", L("This token is not valid."));
        }
        if (!v.IsValid)
        {
            return v.Problem();
        }
        if (await EnabledAsync(key, store, ct) is not { } settings)
        {
            return ChatNotFound();
        }
        var verified = false;
        if (settings.IdentityVerification != ChatFieldMode.Off && (identifier is not null || settings.IdentityVerification == ChatFieldMode.Required))
        {
            if (identifier is null || signature is null || !ChatVisitors.SignatureMatches(settings.Secret, identifier, signature))
            {
                return TypedResults.Problem(L("The website could not prove who you are. Reload the page and try again."),
                    statusCode: StatusCodes.Status401Unauthorized, title: L("Identity not verified"));
            }
            verified = true;
        }
        // An anonymous visitor goes on with the token the widget kept, else with the partitioned cookie (a frame without
        // localStorage); a verified visitor only ever through the website's signed identity (a signed-out website is a new visitor).
        var visitor = verified
            ? new ChatVisitor(settings.AccountId, ChatVisitors.VerifiedVisitorId(settings.AccountId, identifier!), true)
            : new[] { request.Token, http.Request.Cookies[ChatVisitors.CookieName(key)] }.Select(t => visitors.Read(t, key)).FirstOrDefault(x => x is { Verified: false })
                ?? new ChatVisitor(settings.AccountId, ChatVisitors.NewVisitorId(), false);
        var token = visitors.Issue(visitor);
        if (!verified)
        {
            visitors.Remember(http.Response, key, token);
        }
        return TypedResults.Ok(await chat.SessionViewAsync(visitor, settings, token, ct));
    }

    private static async Task<IResult> MessageAsync(string key, ChatMessageRequest request, HttpContext http, ChatSettingsStore store, ChatVisitors visitors,
        ChatService chat, CaseStore cases, CancellationToken ct)
    {
        var v = new Validation();
        var clientMessageId = ClientMessageId(v, request.ClientMessageId);
        var text = v.Text("text", request.Text, ConversationStore.MaxLength, multiLine: true);
        Url(v, "pageUrl", request.PageUrl);
        Url(v, "referrer", request.Referrer);
        v.Text("language", request.Language, 35, required: false);
        v.TimeZone("timeZone", request.TimeZone, required: false);
        foreach (var (field, value) in new[] { ("source", request.Utm?.Source), ("medium", request.Utm?.Medium), ("campaign", request.Utm?.Campaign), ("term", request.Utm?.Term), ("content", request.Utm?.Content) })
        {
            v.Text("utm." + field, value, ChatService.MaxUtmLength, required: false);
        }
        if (!v.IsValid)
        {
            return v.Problem();
        }
        if (visitors.Read(http.Request.Headers[ChatVisitors.Header], key) is not { } visitor)
        {
            return NoVisitor();
        }
        if (await EnabledAsync(key, store, ct) is not { } settings)
        {
            return ChatNotFound();
        }
        // A visitor's retries racing each other wait here and then replay, rather than contend for the same counters.
        using var gate = await chat.LockVisitorAsync(visitor.VisitorId, ct);
        if (await LimitAsync(http, Messages, ClientAddress.RateLimitKey(http), L("Too many requests from your network. Please wait a moment and try again."), ct) is { } tooMany)
        {
            return tooMany;
        }
        if (await LimitAsync(http, AccountMessages, visitor.AccountId, L("This chat receives too many messages right now. Please try again in a few minutes."), ct) is { } refused)
        {
            return refused;
        }
        var tenant = ChatService.TenantOf(visitor.AccountId);
        Case? c = null;
        if (await chat.CaseOfAsync(visitor, ct) is { } caseId)
        {
            c = await cases.GetAsync(tenant, caseId, ct);
            if (c is null)
            {
                await chat.ForgetCaseAsync(visitor, caseId, ct); // operators deleted it: the next message starts afresh
            }
        }
        var isNew = false;
        if (c is null)
        {
            if (await LimitAsync(http, Conversations, ClientAddress.RateLimitKey(http), L("Too many requests from your network. Please wait a moment and try again."), ct) is { } perClient)
            {
                return perClient;
            }
            if (await LimitAsync(http, AccountConversations, visitor.AccountId, L("This chat receives too many messages right now. Please try again in a few minutes."), ct) is { } perAccount)
            {
                return perAccount;
            }
            (c, isNew) = await chat.CreateCaseAsync(v, visitor, settings, request, http, ct);
            if (c is null)
            {
                return v.Problem();
            }
        }
        var (message, created) = await chat.AppendVisitorMessageAsync(visitor, c, isNew, text!, clientMessageId!, ct);
        var view = ChatMessageView.From(message);
        return created ? TypedResults.Created((string?)null, view) : TypedResults.Ok(view);
    }

    private static async Task<IResult> EventsAsync(string key, long? after, long? state, HttpContext http, ChatSettingsStore store, ChatVisitors visitors, ChatService chat,
        ConversationStore conversations, ChatPresence presence, AppointmentStore appointments, IRoomTransport transport, RoomStore rooms, IConfiguration configuration,
        TimeProvider time, CancellationToken ct)
    {
        if (visitors.Read(http.Request.Headers[ChatVisitors.Header], key) is not { } visitor)
        {
            return NoVisitor();
        }
        if (after is < 0 || state is < 0)
        {
            return Validation.Single(after is < 0 ? "after" : "state", L("Use a number of 0 or more."));
        }
        if (await EnabledAsync(key, store, ct) is null)
        {
            return ChatNotFound();
        }
        var from = after ?? 0;
        var room = ChatService.Room(visitor.AccountId, visitor.VisitorId);
        // Note the room's last event before reading, so a message written between the read and the wait still wakes it.
        var head = await SequencedLog.LastAsync(rooms.Table, room.Partition, ct);
        var answer = await ReadAsync(head);
        if (answer.Next > from || (state is { } known && head > known))
        {
            return TypedResults.Ok(answer);
        }
        var woke = await ChatLive.WaitAsync(transport, room, head, configuration.GetValue<TimeSpan?>("Chat:PollWait") ?? DefaultPollWait, ChatLive.VisitorSide, ct);
        return TypedResults.Ok(await ReadAsync(woke));

        async Task<ChatEventsView> ReadAsync(long roomHead)
        {
            var online = (await presence.OnlineOperatorsAsync(visitor.AccountId, ct)).Count > 0;
            if (await chat.CaseOfAsync(visitor, ct) is not { } caseId)
            {
                return new ChatEventsView([], from, online, State: roomHead);
            }
            await chat.States.SeenAsync(visitor.AccountId, caseId, ct);
            var live = await chat.States.GetAsync(visitor.AccountId, caseId, ct);
            var messages = await conversations.ListAsync(visitor.AccountId, caseId, Math.Min(from, live.VisitorRead), 500, ct);
            var visible = messages.Where(m => m.Source == ChatService.Source && m.Author != MessageAuthor.System).ToList();
            var views = new List<ChatMessageView>();
            foreach (var m in visible.Where(m => m.Seq > from).Take(200))
            {
                views.Add(ChatMessageView.From(m, await ChatLive.MeetingUrlAsync(appointments, http, visitor.AccountId, m, ct)));
            }
            // 200 messages at most per answer; otherwise everything read counts as seen by this poll.
            var next = views.Count == 200 ? views[^1].Seq : messages.Count > 0 ? Math.Max(from, messages[^1].Seq) : from;
            return new ChatEventsView(views, next, online, live.OperatorTyping(time.GetUtcNow()), live.OperatorRead,
                visible.Count(m => m.Author == MessageAuthor.Operator && m.Seq > live.VisitorRead), roomHead);
        }
    }

    private static async Task<IResult> GetSettingsAsync(Tenant tenant, ChatSettingsStore store, CancellationToken ct) =>
        TypedResults.Ok(ChatSettingsView.From(await store.GetOrCreateAsync(tenant.AccountId, ct)));

    private static async Task<IResult> PutSettingsAsync(ChatSettingsRequest request, Tenant tenant, ChatSettingsStore store, CustomFieldStore fields, CancellationToken ct)
    {
        var v = new Validation();
        var greeting = request.Greeting is null ? null : v.Text("greeting", request.Greeting, MaxGreetingLength, required: false, multiLine: true) ?? "";
        var replyTime = request.ReplyTime is null ? null : v.Text("replyTime", request.ReplyTime, MaxReplyTimeLength, required: false) ?? "";
        var color = request.Color?.Trim().ToLowerInvariant();
        if (color is not null && !ColorPattern().IsMatch(color))
        {
            v.Add("color", L("Use a colour like #2563eb."));
        }
        var identity = request.IdentityVerification is null ? (ChatFieldMode?)null : v.OneOf<ChatFieldMode>("identityVerification", request.IdentityVerification);
        Dictionary<string, ChatFieldMode>? preChat = null;
        if (request.PreChat is not null)
        {
            var known = (await fields.ListAsync(tenant, ct)).Where(d => !d.Archived).Select(d => d.Key).ToHashSet(StringComparer.Ordinal);
            preChat = [];
            foreach (var (field, mode) in request.PreChat)
            {
                if (!ContactFields.Contains(field) && !known.Contains(field))
                {
                    v.Add("preChat." + field, L("Ask for name, email, phone or a custom field's key."));
                    continue;
                }
                if (v.OneOf<ChatFieldMode>("preChat." + field, mode) is { } m && m != ChatFieldMode.Off)
                {
                    preChat[field] = m;
                }
            }
        }
        if (!v.IsValid)
        {
            return v.Problem();
        }
        return await SaveAsync(tenant, store, s => s with
        {
            Enabled = request.Enabled ?? s.Enabled,
            Greeting = greeting ?? s.Greeting,
            ReplyTime = replyTime ?? s.ReplyTime,
            Color = color ?? s.Color,
            IdentityVerification = identity ?? s.IdentityVerification,
            PreChat = preChat ?? s.PreChat,
        }, ct);
    }

    private static Task<IResult> RotateSecretAsync(Tenant tenant, ChatSettingsStore store, CancellationToken ct) =>
        SaveAsync(tenant, store, s => s with { Secret = SecureTokens.NewSecret() }, ct);

    private static async Task<IResult> SaveAsync(Tenant tenant, ChatSettingsStore store, Func<ChatSettings, ChatSettings> change, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var before = await store.GetOrCreateAsync(tenant.AccountId, ct);
            try
            {
                return TypedResults.Ok(ChatSettingsView.From(await store.SaveAsync(change(before), ct)));
            }
            catch (Azure.RequestFailedException ex) when (ex.IsConditionFailed() && attempt < 5)
            {
            }
        }
    }

    /// <summary>An operator answers in the case's conversation (idempotent per client message id); the visitor's poll wakes.</summary>
    private static async Task<IResult> ReplyAsync(string caseId, ChatReplyRequest request, Tenant tenant, CaseStore cases, CaseRules rules, AccountStore accounts,
        ChatService chat, CancellationToken ct)
    {
        var v = new Validation();
        var clientMessageId = ClientMessageId(v, request.ClientMessageId);
        var text = v.Text("text", request.Text, ConversationStore.MaxLength, multiLine: true);
        if (await cases.GetAsync(tenant, caseId, ct) is not { } c || !await rules.CanSeeAsync(tenant, c, ct))
        {
            return TypedResults.NotFound();
        }
        if (!v.IsValid)
        {
            return v.Problem();
        }
        var name = tenant.OperatorId is { } id && await accounts.GetOperatorAsync(tenant, id, ct) is { } op ? op.Name : "";
        var (message, created) = await chat.AppendOperatorMessageAsync(tenant, c, name, text!, clientMessageId!, ct);
        var view = ConversationMessageView.From(message);
        return created ? TypedResults.Created((string?)null, view) : TypedResults.Ok(view);
    }

    private static string? ClientMessageId(Validation v, string? value)
    {
        var id = v.Text("clientMessageId", value, 100);
        if (id is not null && !ClientIdPattern().IsMatch(id))
        {
            v.Add("clientMessageId", L("Use 1 to 100 letters, digits, '-', '_', '.' or ':'."));
        }
        return id;
    }

    private static void Url(Validation v, string field, string? value)
    {
        var url = v.Text(field, value, ChatService.MaxUrlLength, required: false);
        if (url is not null && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
        {
            v.Add(field, L("Enter a web address starting with https://."));
        }
    }

    /// <summary>A per-key limit outside the endpoint filter (per account, or new conversations only); null when allowed.</summary>
    private static async Task<IResult?> LimitAsync(HttpContext http, RateLimitPolicy policy, string key, string detail, CancellationToken ct)
    {
        var effective = policy.WithConfiguration(http.RequestServices.GetRequiredService<IConfiguration>());
        var limiter = http.RequestServices.GetRequiredService<TableRateLimiter>();
        try
        {
            // An account's totals are hit by all its visitors at once, an address's by everyone behind one network (an office):
            // spread over rows so ordinary traffic never fails closed on a lost race.
            var decision = await limiter.HitSpreadAsync(effective.Name, key, effective.Limit, effective.Window, Shards, ct);
            return decision.Allowed ? null : RateLimitEndpointExtensions.TooMany(http, decision.RetryAfter, detail);
        }
        catch (RateLimiterUnavailableException)
        {
            return RateLimitEndpointExtensions.TooBusy();
        }
    }

    [GeneratedRegex("^#[0-9a-f]{6}$", RegexOptions.CultureInvariant)]
    private static partial Regex ColorPattern();

    [GeneratedRegex("^[A-Za-z0-9_.:-]{1,100}$", RegexOptions.CultureInvariant)]
    private static partial Regex ClientIdPattern();
}
