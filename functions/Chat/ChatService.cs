using Azure;
using Azure.Data.Tables;
using Parley.Functions.Accounts;
using Parley.Functions.Cases;
using Parley.Functions.Common;
using Parley.Functions.Conversations;
using Parley.Functions.CustomFields;
using Parley.Functions.Identity;
using Parley.Functions.Meetings;
using Parley.Functions.Storage;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Chat;

/// <summary>
/// The website chat's writes: a visitor's message (the first creates the case, idempotently) and an operator's answer.
/// Two rows in the account's partition of the Cases table tie a visitor to their case: <c>chatvisitor|{visitor}</c> →
/// case and <c>chatcase|{case}</c> → visitor, both added in the case's own transaction (docs/chat.md).
/// </summary>
public sealed class ChatService(CaseStore cases, ConversationStore conversations, AccountStore accounts, CustomFieldStore fields, IRoomTransport transport,
    RoomStore rooms, ChatStateStore states, ChatPresence presence, ChatNotices notices, TimeProvider time)
{
    public const string Source = "websiteChat";
    internal const string VisitorPrefix = "chatvisitor|";
    internal const string CasePrefix = "chatcase|";
    public const int MaxUrlLength = 2000;
    public const int MaxUtmLength = 200;

    private TableClient Table => cases.Table;

    // One message of a visitor at a time on this instance (striped, so no per-visitor state piles up): a widget's retries
    // racing the original then replay it instead of contending for the same limiter counters and visitor row.
    private readonly SemaphoreSlim[] _visitorGates = [.. Enumerable.Range(0, 256).Select(_ => new SemaphoreSlim(1, 1))];

    /// <summary>Holds the visitor's gate until disposed.</summary>
    public async Task<IDisposable> LockVisitorAsync(string visitorId, CancellationToken ct)
    {
        var gate = _visitorGates[(int)((uint)StringComparer.Ordinal.GetHashCode(visitorId) % (uint)_visitorGates.Length)];
        await gate.WaitAsync(ct);
        return new Release(gate);
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                gate.Release();
            }
        }
    }

    public static RoomKey Room(string accountId, string visitorId) => new(accountId, "chat-" + visitorId);

    /// <summary>The account's chat inbox: every change of a chat's unread count is an event here (operators' dashboards wait on it).</summary>
    public static RoomKey Inbox(string accountId) => new(accountId, "chat-inbox");

    public ChatStateStore States => states;

    public static Tenant TenantOf(string accountId) => new(accountId, null, OperatorRole.Administrator, "system");

    /// <summary>The visitor's case id, if they wrote before.</summary>
    public async Task<string?> CaseOfAsync(ChatVisitor visitor, CancellationToken ct) =>
        (await Table.GetEntityOrNullAsync(visitor.AccountId, VisitorPrefix + visitor.VisitorId, cancellationToken: ct))?.GetString("CaseId");

    /// <summary>
    /// What the widget starts with: the token, what to show, the pre-chat form with the custom fields' labels, whether
    /// anyone is online, and whether the visitor has a conversation (and an e-mail address on it, so it is not asked again).
    /// </summary>
    public async Task<ChatSessionView> SessionViewAsync(ChatVisitor visitor, ChatSettings settings, string token, CancellationToken ct)
    {
        var tenant = TenantOf(visitor.AccountId);
        var account = await accounts.GetSettingsAsync(tenant, ct);
        var online = (await presence.OnlineOperatorsAsync(visitor.AccountId, ct)).Count > 0;
        var asked = settings.PreChat.Where(p => p.Value != ChatFieldMode.Off).ToDictionary(p => p.Key, p => Wire.Name(p.Value));
        var labels = (await fields.ListAsync(tenant, ct)).Where(d => !d.Archived && asked.ContainsKey(d.Key)).ToDictionary(d => d.Key, d => d.Label);
        var c = await CaseOfAsync(visitor, ct) is { } caseId ? await cases.GetAsync(tenant, caseId, ct) : null;
        return new ChatSessionView(token, account?.BusinessName ?? "", settings.Greeting, settings.Color, settings.ReplyTime, asked, labels, visitor.Verified, online,
            c is not null, c?.Email is not null);
    }

    /// <summary>The visitor of a website-chat case, if it is one.</summary>
    public async Task<string?> VisitorOfAsync(string accountId, string caseId, CancellationToken ct) =>
        (await Table.GetEntityOrNullAsync(accountId, CasePrefix + caseId, cancellationToken: ct))?.GetString("VisitorId");

    /// <summary>
    /// A new case for the visitor from their first message, or null with the pre-chat form's errors in <paramref name="v"/>.
    /// When another request created it first (a retry racing the original), that case is answered instead.
    /// </summary>
    public async Task<(Case? Case, bool Created)> CreateCaseAsync(Validation v, ChatVisitor visitor, ChatSettings settings, ChatMessageRequest request, HttpContext http, CancellationToken ct)
    {
        var tenant = TenantOf(visitor.AccountId);
        var account = await accounts.GetSettingsAsync(tenant, ct);
        var name = Field(v, settings, "name", () => v.Text("name", request.Name, CaseRules.MaxNameLength, required: false), request.Name);
        var email = Field(v, settings, "email", () => v.Email("email", request.Email, required: false), request.Email);
        var phone = Field(v, settings, "phone", () => CaseRules.Phone(v, "phone", request.Phone), request.Phone);
        var definitions = await fields.ListAsync(tenant, ct);
        var asked = (request.CustomFields ?? []).Where(p => settings.Mode(p.Key) != ChatFieldMode.Off).ToDictionary();
        var custom = CustomFieldValues.Check(v, definitions, asked, creating: false).Where(p => p.Value.Length > 0).ToDictionary();
        foreach (var d in definitions.Where(d => !d.Archived && settings.Mode(d.Key) == ChatFieldMode.Required))
        {
            if (!custom.ContainsKey(d.Key) && !v.Errors.ContainsKey("customFields." + d.Key))
            {
                v.Add("customFields." + d.Key, L("This field is required."));
            }
        }
        if (!v.IsValid)
        {
            return (null, false);
        }
        var language = Languages.Supported.FirstOrDefault(l => request.Language is { Length: >= 2 } lang && lang[..2].Equals(l, StringComparison.OrdinalIgnoreCase))
            ?? account?.DefaultLanguage ?? "en";
        var now = time.GetUtcNow();
        var assigned = await RouteAsync(visitor.AccountId, ct) is { } operatorId ? new[] { operatorId } : [];
        var draft = new Case(SecureTokens.NewId(), visitor.AccountId, 0, name ?? VisitorName(account?.DefaultLanguage, visitor.VisitorId), CaseOrigin.WebsiteChat,
            CustomerStatus.Away, email, phone, null, null, custom, assigned, language, CaseStatus.Active, null, new Dictionary<string, DateTimeOffset>(), "websiteChat", now, now)
        {
            Metadata = Metadata(request),
            PublicSource = PublicSource.FromRequest(http, PublicSource.WebsiteChat),
            AwaitingReply = true,
            UnreadMessages = 1,
        };
        try
        {
            return (await cases.CreateAsync(tenant, draft, c =>
            [
                new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(c.AccountId, VisitorPrefix + visitor.VisitorId) { { "CaseId", c.Id }, { "At", now } }),
                new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(c.AccountId, CasePrefix + c.Id) { { "VisitorId", visitor.VisitorId }, { "At", now } }),
            ], ct), true);
        }
        catch (TableTransactionFailedException ex) when (ex.FailedTransactionActionIndex == 3)
        {
            // Another request of this visitor created the case first: that one is theirs.
            return (await CaseOfAsync(visitor, ct) is { } id ? await cases.GetAsync(tenant, id, ct) : throw new InvalidOperationException("Chat visitor row vanished.", ex), false);
        }
    }

    /// <summary>Forgets a visitor's case that operators deleted, so their next message starts a new one.</summary>
    public async Task ForgetCaseAsync(ChatVisitor visitor, string caseId, CancellationToken ct)
    {
        try
        {
            await Table.SubmitAtomicallyAsync([
                new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(visitor.AccountId, VisitorPrefix + visitor.VisitorId), ETag.All),
                new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(visitor.AccountId, CasePrefix + caseId), ETag.All),
            ], ct);
        }
        catch (TableTransactionFailedException)
        {
            // Already gone.
        }
    }

    /// <summary>
    /// A case is being deleted: its visitor's rows, live state and wake-up events go too (the visitor's next message then
    /// starts a new case). Nothing happens for cases that are no website chat.
    /// </summary>
    public async Task DeleteCaseAsync(string accountId, string caseId, CancellationToken ct)
    {
        if (await VisitorOfAsync(accountId, caseId, ct) is not { } visitorId)
        {
            return;
        }
        await states.DeleteAsync(accountId, caseId, ct);
        await SequencedLog.DeletePartitionAsync(rooms.Table, Room(accountId, visitorId).Partition, ct);
        await ForgetCaseAsync(new ChatVisitor(accountId, visitorId, visitorId.StartsWith('v')), caseId, ct);
    }

    /// <summary>Appends the visitor's message; <paramref name="caseIsNew"/>: the case was just created awaiting, no need to mark it again.</summary>
    public async Task<(ConversationMessage Message, bool Created)> AppendVisitorMessageAsync(ChatVisitor visitor, Case c, bool caseIsNew, string text, string clientMessageId, CancellationToken ct)
    {
        var appended = await conversations.AppendAsync(visitor.AccountId, c.Id, MessageAuthor.Customer, c.Name, visitor.VisitorId, text, Source, null,
            "visitor|" + clientMessageId, ct);
        if (appended.Created)
        {
            if (!caseIsNew)
            {
                await ChangeCaseAsync(c, x => x with { AwaitingReply = true, UnreadMessages = x.UnreadMessages + 1, Status = CaseStatus.Active }, ct);
            }
            await transport.PublishAsync(Room(visitor.AccountId, visitor.VisitorId), "chat", null, null, new { seq = appended.Message.Seq }, ct);
            await transport.PublishAsync(Inbox(visitor.AccountId), "chat", null, null, new { caseId = c.Id }, ct);
        }
        // The first message, or the first after an answer, alerts the operators when none of them is online (decided when it
        // runs). Derived from the log, so a replay after a failure between the write and here starts the same alert once.
        var seq = appended.Message.Seq;
        if (seq == 1 || (await conversations.ListAsync(visitor.AccountId, c.Id, seq - 2, 1, ct)).FirstOrDefault() is not { Author: MessageAuthor.Customer })
        {
            await notices.OperatorAlertAsync(c, seq, ct);
        }
        return appended;
    }

    /// <summary>
    /// An operator's message in the case's conversation: in a website-chat case the visitor sees it (source
    /// <see cref="Source"/>) and their poll wakes; in any other case it is a note of the dashboard (source <c>dashboard</c>).
    /// </summary>
    public async Task<(ConversationMessage Message, bool Created)> AppendOperatorMessageAsync(Tenant tenant, Case c, string operatorName, string text, string clientMessageId,
        CancellationToken ct, string? appointmentId = null)
    {
        var visitorId = await VisitorOfAsync(tenant.AccountId, c.Id, ct);
        var appended = await conversations.AppendAsync(tenant.AccountId, c.Id, MessageAuthor.Operator, operatorName, tenant.OperatorId, text,
            visitorId is null ? "dashboard" : Source, appointmentId, "operator|" + tenant.OperatorId + "|" + clientMessageId, ct);
        if (appended.Created)
        {
            await ChangeCaseAsync(c, x => x with { AwaitingReply = false, UnreadMessages = 0 }, ct);
            if (visitorId is not null)
            {
                await states.ReadAsync(tenant.AccountId, c.Id, visitor: false, appended.Message.Seq - 1, ct);
                await transport.PublishAsync(Room(tenant.AccountId, visitorId), "chat", null, null, new { seq = appended.Message.Seq }, ct);
                await transport.PublishAsync(Inbox(tenant.AccountId), "chat", null, null, new { caseId = c.Id }, ct);
            }
        }
        if (visitorId is not null)
        {
            // Goes by e-mail unless the visitor reads it in the widget first (decided when it runs); a replay starts it once.
            await notices.VisitorReplyAsync(c, appended.Message.Seq, ct);
        }
        return appended;
    }

    /// <summary>An operator read the case: its unread count goes to 0, the read mark forward, and the visitor sees "seen".</summary>
    public async Task OperatorReadAsync(Tenant tenant, Case c, CancellationToken ct)
    {
        if (await VisitorOfAsync(tenant.AccountId, c.Id, ct) is not { } visitorId)
        {
            return;
        }
        var last = await conversations.LastSeqAsync(tenant.AccountId, c.Id, ct);
        var moved = await states.ReadAsync(tenant.AccountId, c.Id, visitor: false, last, ct);
        if (c.UnreadMessages > 0)
        {
            await ChangeCaseAsync(c, x => x with { UnreadMessages = 0 }, ct, touch: false);
            await transport.PublishAsync(Inbox(tenant.AccountId), "read", null, null, new { caseId = c.Id }, ct);
        }
        if (moved)
        {
            await transport.PublishAsync(Room(tenant.AccountId, visitorId), "read", null, null, new { seq = last }, ct);
        }
    }

    /// <summary>Sets the case's e-mail address for answers; false when it has one already, null when the case is gone.</summary>
    public async Task<bool?> SetEmailAsync(ChatVisitor visitor, string caseId, string email, CancellationToken ct)
    {
        var tenant = TenantOf(visitor.AccountId);
        for (var attempt = 0; attempt < 10; attempt++)
        {
            if (await cases.GetAsync(tenant, caseId, ct) is not { } c)
            {
                return null;
            }
            if (c.Email is not null)
            {
                return string.Equals(c.Email, email, StringComparison.OrdinalIgnoreCase);
            }
            try
            {
                await cases.SaveAsync(c, c with { Email = email, UpdatedAt = time.GetUtcNow() }, ct);
                return true;
            }
            catch (TableTransactionFailedException)
            {
            }
        }
        throw new InvalidOperationException("The case kept changing.");
    }

    /// <summary>One side is typing: noted with its time, and the other side's poll wakes.</summary>
    public async Task TypingAsync(string accountId, string caseId, string visitorId, bool visitor, CancellationToken ct)
    {
        await states.TypingAsync(accountId, caseId, visitor, ct);
        await transport.PublishAsync(Room(accountId, visitorId), "typing", null, null, new { visitor }, ct);
    }

    /// <summary>The visitor has seen operator messages up to <paramref name="seq"/>.</summary>
    public async Task VisitorReadAsync(ChatVisitor visitor, string caseId, long seq, CancellationToken ct)
    {
        if (await states.ReadAsync(visitor.AccountId, caseId, visitor: true, seq, ct))
        {
            await transport.PublishAsync(Room(visitor.AccountId, visitor.VisitorId), "read", null, null, new { seq }, ct);
        }
    }

    /// <summary>
    /// The online operator with the fewest chats awaiting a reply (ties: the lower id), or null when nobody is online.
    /// </summary>
    public async Task<string?> RouteAsync(string accountId, CancellationToken ct)
    {
        var online = await presence.OnlineOperatorsAsync(accountId, ct);
        if (online.Count <= 1)
        {
            return online.FirstOrDefault();
        }
        var load = online.ToDictionary(id => id, _ => 0, StringComparer.Ordinal);
        foreach (var summary in await cases.AwaitingChatsAsync(accountId, ct))
        {
            foreach (var id in summary.AssignedOperatorIds)
            {
                if (load.ContainsKey(id))
                {
                    load[id]++;
                }
            }
        }
        return load.OrderBy(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).First().Key;
    }

    /// <summary>
    /// Changes the case's chat flags (awaiting, unread; a visitor's message also reopens a completed case) and moves it to
    /// the top of the list; retried on concurrent writes, nothing written when nothing changes.
    /// </summary>
    private async Task ChangeCaseAsync(Case known, Func<Case, Case> change, CancellationToken ct, bool touch = true)
    {
        var tenant = TenantOf(known.AccountId);
        var c = known;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var changed = change(c);
            if (changed == c)
            {
                return;
            }
            var after = touch ? changed with { UpdatedAt = time.GetUtcNow() } : changed;
            try
            {
                await cases.SaveAsync(c, after, ct);
                return;
            }
            catch (TableTransactionFailedException)
            {
                if (await cases.GetAsync(tenant, known.Id, ct) is not { } fresh)
                {
                    return;
                }
                c = fresh;
            }
        }
    }

    private static T? Field<T>(Validation v, ChatSettings settings, string field, Func<T?> read, string? raw)
    {
        var mode = settings.Mode(field);
        if (mode == ChatFieldMode.Off)
        {
            return default;
        }
        if (mode == ChatFieldMode.Required && string.IsNullOrWhiteSpace(raw))
        {
            v.Add(field, L("This field is required."));
            return default;
        }
        return read();
    }

    /// <summary>The name of a case whose visitor gave none, in the account's language (operators read it, not the visitor).</summary>
    public static string VisitorName(string? language, string visitorId) => (language == "de" ? "Website-Besucher " : "Website visitor ") + ShortId(visitorId);

    private static string ShortId(string visitorId) => visitorId.Length > 6 ? visitorId[1..7].ToUpperInvariant() : visitorId.ToUpperInvariant();

    private static Dictionary<string, string>? Metadata(ChatMessageRequest r)
    {
        var m = new Dictionary<string, string>(StringComparer.Ordinal);
        void Put(string key, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                m[key] = value.Trim();
            }
        }
        Put("pageUrl", r.PageUrl);
        Put("referrer", r.Referrer);
        Put("language", r.Language);
        Put("timeZone", r.TimeZone);
        Put("utm_source", r.Utm?.Source);
        Put("utm_medium", r.Utm?.Medium);
        Put("utm_campaign", r.Utm?.Campaign);
        Put("utm_term", r.Utm?.Term);
        Put("utm_content", r.Utm?.Content);
        return m.Count == 0 ? null : m;
    }
}
