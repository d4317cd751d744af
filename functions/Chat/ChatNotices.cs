using System.Globalization;
using System.Text;
using Microsoft.DurableTask;
using Parley.Functions.Abuse;
using Parley.Functions.Accounts;
using Parley.Functions.Cases;
using Parley.Functions.Common;
using Parley.Functions.Conversations;
using Parley.Functions.Dialogs;
using Parley.Functions.Durable;
using Parley.Functions.Notifications;
using Parley.Functions.Notifications.Providers;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Chat;

public enum ChatNoticeKind
{
    /// <summary>Operators hear of a visitor's message while none of them is online.</summary>
    OperatorAlert,

    /// <summary>The visitor gets an operator's answer by e-mail when they have not read it in the widget.</summary>
    VisitorReply,

    /// <summary>The visitor asked for the conversation by e-mail.</summary>
    Transcript,
}

/// <summary>One e-mail (or alert) about a chat: <see cref="Seq"/> the message it is about; <see cref="Email"/> for a transcript.</summary>
public sealed record ChatNoticeJob(ChatNoticeKind Kind, string AccountId, string CaseId, long Seq, TimeSpan Delay, string? Email = null, string? Id = null);

/// <summary>
/// Starts the chat's e-mail workflows. Each is a durable orchestration with an id derived from the message it is about,
/// started after the message is written; a request that failed after the write is retried by the widget with the same
/// client message id, whose replay starts it again (a second start of the same id is a no-op), so none is lost or doubled.
/// </summary>
public sealed class ChatNotices(Orchestrations orchestrations, IConfiguration configuration)
{
    /// <summary>How long an answer waits for the visitor to read it in the widget before it goes by e-mail (setting <c>Chat__EmailAfter</c>).</summary>
    public TimeSpan EmailAfter => configuration.GetValue<TimeSpan?>("Chat:EmailAfter") ?? TimeSpan.FromSeconds(60);

    public Task OperatorAlertAsync(Case c, long seq, CancellationToken ct) =>
        orchestrations.StartAsync(nameof(ChatNoticeOrchestrator), $"chat-{c.AccountId}-{c.Id}-m{seq}-alert",
            new ChatNoticeJob(ChatNoticeKind.OperatorAlert, c.AccountId, c.Id, seq, TimeSpan.Zero), ct);

    public Task VisitorReplyAsync(Case c, long seq, CancellationToken ct) =>
        orchestrations.StartAsync(nameof(ChatNoticeOrchestrator), $"chat-{c.AccountId}-{c.Id}-m{seq}-email",
            new ChatNoticeJob(ChatNoticeKind.VisitorReply, c.AccountId, c.Id, seq, EmailAfter), ct);

    public Task TranscriptAsync(Case c, string email, CancellationToken ct)
    {
        var id = Common.SecureTokens.NewId(12);
        return orchestrations.StartAsync(nameof(ChatNoticeOrchestrator), $"chat-{c.AccountId}-{c.Id}-t{id}",
            new ChatNoticeJob(ChatNoticeKind.Transcript, c.AccountId, c.Id, 0, TimeSpan.Zero, email, id), ct);
    }
}

/// <summary>Waits when the job says so (a visitor may still read the answer in the widget), then sends; retried like every provider call.</summary>
public sealed class ChatNoticeOrchestrator : TaskOrchestrator<ChatNoticeJob, int>
{
    public override async Task<int> RunAsync(TaskOrchestrationContext context, ChatNoticeJob job)
    {
        if (job.Delay > TimeSpan.Zero)
        {
            await context.CreateTimer(job.Delay, CancellationToken.None);
        }
        return await context.CallActivityAsync<int>(nameof(SendChatNoticeActivity), job, ActivityRetry.Transient);
    }
}

/// <summary>
/// Decides with fresh data and sends (idempotent message ids "chat|{case}|m{seq}|…"): an alert only while the case
/// still awaits a reply and none of its operators is online; an answer only while the visitor has neither read it nor
/// a widget open, and once for all answers not yet e-mailed; a transcript always (through the public-send guard).
/// </summary>
public sealed class SendChatNoticeActivity(CaseStore cases, ConversationStore conversations, AccountStore accounts, DialogStore dialogs, ChatService chat,
    ChatPresence presence, ChatVisitors visitors, NotificationSender sender, MessageStore messages, PublicSendGuard guard, Hosting.PublicUrl publicUrl, IConfiguration configuration,
    TimeProvider time) : TaskActivity<ChatNoticeJob, int>
{
    public override async Task<int> RunAsync(TaskActivityContext context, ChatNoticeJob job)
    {
        var ct = CancellationToken.None;
        var tenant = ChatService.TenantOf(job.AccountId);
        if (await cases.GetAsync(tenant, job.CaseId, ct) is not { } c || await accounts.GetSettingsAsync(tenant, ct) is not { } account)
        {
            return 0;
        }
        return job.Kind switch
        {
            ChatNoticeKind.OperatorAlert => await AlertAsync(job, c, account, ct),
            ChatNoticeKind.VisitorReply => await ReplyAsync(job, c, account, ct),
            _ => await TranscriptAsync(job, c, account, ct),
        };
    }

    private async Task<int> AlertAsync(ChatNoticeJob job, Case c, Account account, CancellationToken ct)
    {
        if (!c.AwaitingReply)
        {
            return 0; // answered meanwhile
        }
        var tenant = ChatService.TenantOf(job.AccountId);
        var operators = (await accounts.ListOperatorsAsync(tenant, ct)).Where(o => o.Active && (c.AssignedOperatorIds.Count == 0 || c.AssignedOperatorIds.Contains(o.Id))).ToList();
        var online = await presence.OnlineOperatorsAsync(job.AccountId, ct);
        if (operators.Any(o => online.Contains(o.Id)))
        {
            return 0; // someone who may answer is online and hears it in the dashboard
        }
        var text = (await conversations.ListAsync(job.AccountId, c.Id, job.Seq - 1, 1, ct)).FirstOrDefault()?.Text ?? "";
        var sent = 0;
        foreach (var op in operators)
        {
            var alerts = await dialogs.GetAlertsAsync(job.AccountId, op.Id, ct);
            var email = alerts is { EmailOn: true, Email: { Length: > 0 } own } ? own : op.Email;
            var caseUrl = $"{publicUrl.Origin}/cases/{c.Id}";
            using (Culture(op.Language))
            {
                var subject = L("New website chat message from {0}", c.Name);
                var lines = new[] { L("Hello {0},", op.Name), L("{0} wrote in the website chat while nobody was online:", c.Name), Quote(text) };
                var label = L("Answer in the dashboard");
                await SendAsync(account, job, $"chat|{c.Id}|m{job.Seq}|operator-{op.Id}|email", MessageKind.ChatAlert, MessageChannel.Email, email, op.Name, op.Language,
                    subject, string.Join("\n\n", lines) + $"\n\n{label}: {caseUrl}", Html(lines, label, caseUrl), ct);
                sent++;
                if (alerts is { SmsOn: true, SmsPhone: { Length: > 0 } sms })
                {
                    await SendAsync(account, job, $"chat|{c.Id}|m{job.Seq}|operator-{op.Id}|sms", MessageKind.ChatAlert, MessageChannel.Sms, sms, op.Name, op.Language,
                        subject, L("Parley: new website chat message from {0}. {1}", c.Name, caseUrl), null, ct);
                    sent++;
                }
            }
        }
        return sent;
    }

    private async Task<int> ReplyAsync(ChatNoticeJob job, Case c, Account account, CancellationToken ct)
    {
        var state = await chat.States.GetAsync(job.AccountId, c.Id, ct);
        if (c.Email is null || state.VisitorRead >= job.Seq || state.EmailedThrough >= job.Seq || state.VisitorOnline(time.GetUtcNow()))
        {
            return 0;
        }
        if (await chat.VisitorOfAsync(job.AccountId, c.Id, ct) is not { } visitorId)
        {
            return 0;
        }
        var all = Visible(await conversations.ListAsync(job.AccountId, c.Id, 0, 500, ct));
        var last = all.LastOrDefault(m => m.Author == MessageAuthor.Operator);
        if (last is null)
        {
            return 0;
        }
        var language = c.Language;
        var link = $"{publicUrl.Origin}/chat#{visitors.IssueLink(new ChatVisitor(job.AccountId, visitorId, visitorId.StartsWith('v')))}";
        var business = account.SenderName ?? account.BusinessName;
        var subject = Text(language, "replySubject", ("businessName", business));
        var intro = Text(language, "replyIntro", ("operatorName", last.AuthorName), ("businessName", business));
        var (threadText, threadHtml) = Thread(all, language, c, account.TimeZone);
        var label = Text(language, "replyLink");
        var body = $"{intro}\n\n{label}: {link}\n\n{Text(language, "conversation")}:{threadText}";
        var html = Page($"<p>{DialogTexts.Encode(intro)}</p><p><a href=\"{DialogTexts.Encode(link)}\">{DialogTexts.Encode(label)}</a></p>{threadHtml}");
        var sent = await SendAsync(account, job, $"chat|{c.Id}|m{last.Seq}|visitor|email", MessageKind.ChatReply, MessageChannel.Email, c.Email, c.Name, language,
            subject, body, html, ct, c.PublicSource);
        await chat.States.EmailedThroughAsync(job.AccountId, c.Id, last.Seq, ct);
        return sent ? 1 : 0;
    }

    private async Task<int> TranscriptAsync(ChatNoticeJob job, Case c, Account account, CancellationToken ct)
    {
        var all = Visible(await conversations.ListAsync(job.AccountId, c.Id, 0, 500, ct));
        var language = c.Language;
        var business = account.SenderName ?? account.BusinessName;
        var (threadText, threadHtml) = Thread(all, language, c, account.TimeZone);
        var intro = Text(language, "transcriptIntro", ("businessName", business));
        var sent = await SendAsync(account, job, $"chat|{c.Id}|t{job.Id}|email", MessageKind.ChatTranscript, MessageChannel.Email, job.Email!, c.Name, language,
            Text(language, "transcriptSubject", ("businessName", business)), $"{intro}\n{threadText}", Page($"<p>{DialogTexts.Encode(intro)}</p>{threadHtml}"), ct,
            c.PublicSource ?? new PublicSource(PublicSource.WebsiteChat, ""));
        return sent ? 1 : 0;
    }

    /// <summary>Sends one message; messages to a visitor pass the public-send guard first. False when the guard refused it.</summary>
    private async Task<bool> SendAsync(Account account, ChatNoticeJob job, string id, MessageKind kind, MessageChannel channel, string to, string name, string language,
        string subject, string text, string? html, CancellationToken ct, PublicSource? source = null)
    {
        var now = time.GetUtcNow();
        var planned = new MessageRecord(job.AccountId, id, job.CaseId, kind, channel, to, language, MessageStatus.Queued, null, false, 0, null, now, now);
        // The guard decides once per message: a retried activity finds the record and must not count (or be refused by) itself again.
        if (source is not null && await messages.GetAsync(job.AccountId, id, ct) is null)
        {
            var check = await guard.CheckAsync(account, channel, to, source.ClientAddressHash is { Length: > 0 } hash ? hash : null, source.Kind, id, ct);
            if (check.Unavailable)
            {
                throw new ProviderUnavailableException(PublicSendGuard.UnavailableReason, TimeSpan.FromMinutes(1)); // the activity's retry decides later
            }
            if (!check.Allowed)
            {
                await sender.FailAsync(planned, check.Reason!, ct);
                return false;
            }
        }
        var content = new OutgoingMessage(job.AccountId, id, channel, to, name,
            channel == MessageChannel.Sms ? configuration["Communication:SmsFrom"] ?? "Parley" : account.SenderEmail ?? configuration["Communication:EmailFrom"] ?? "no-reply@parley.local",
            account.SenderName ?? account.BusinessName, subject, text, html, now);
        await sender.SendAsync(planned, content, ct); // unavailable: throws, and the activity's retry sends it later
        return true;
    }

    private static List<ConversationMessage> Visible(IReadOnlyList<ConversationMessage> messages) =>
        [.. messages.Where(m => m.Source == ChatService.Source && m.Author != MessageAuthor.System)];

    private static (string Text, string Html) Thread(IReadOnlyList<ConversationMessage> messages, string language, Case c, string timeZone)
    {
        var text = new StringBuilder();
        var html = new StringBuilder("<div style=\"border-top:1px solid #ddd;margin-top:16px\">");
        foreach (var m in messages)
        {
            var who = m.Author == MessageAuthor.Operator ? m.AuthorName : Text(language, "you");
            var (date, at) = DialogTexts.Format(m.At, c.Metadata?.GetValueOrDefault("timeZone") ?? timeZone, language);
            text.Append(CultureInfo.InvariantCulture, $"\n— {who}, {date} {at}:\n{m.Text}\n");
            html.Append(CultureInfo.InvariantCulture,
                $"<p style=\"margin:12px 0 4px;color:#555;font-size:13px\">{DialogTexts.Encode(who)}, {DialogTexts.Encode(date)} {DialogTexts.Encode(at)}</p><p style=\"margin:0;white-space:pre-wrap\">{DialogTexts.Encode(m.Text)}</p>");
        }
        html.Append("</div>");
        return (text.ToString(), html.ToString());
    }

    private static string Quote(string text) => text.Length > 500 ? text[..500] + "…" : text;

    private static string Html(IEnumerable<string> lines, string label, string url) =>
        Page(string.Concat(lines.Select(l => "<p style=\"white-space:pre-wrap\">" + DialogTexts.Encode(l) + "</p>")) + $"<p><a href=\"{DialogTexts.Encode(url)}\">{DialogTexts.Encode(label)}</a></p>");

    private static string Page(string body) => "<!doctype html><html><body style=\"font-family:Arial,sans-serif;color:#1c2433;line-height:1.5\">" + body + "</body></html>";

    private static string Text(string language, string key, params (string Name, string Value)[] values) => ChatTexts.Get(language, key, values);

    private static CultureScope Culture(string language) => new(CultureInfo.GetCultureInfo(language == "de" ? "de" : "en"));

    private sealed class CultureScope : IDisposable
    {
        private readonly CultureInfo _previous = CultureInfo.CurrentUICulture;

        public CultureScope(CultureInfo culture) => CultureInfo.CurrentUICulture = culture;

        public void Dispose() => CultureInfo.CurrentUICulture = _previous;
    }
}

/// <summary>What the visitor reads from Parley itself (e-mails, the video invitation), in the conversation's language (Chat/Texts/*.json).</summary>
public static class ChatTexts
{
    private static readonly TextCatalog Catalog = new("Parley.Functions.Chat.Texts", DialogTexts.Languages);

    public static string Get(string language, string key, params (string Name, string Value)[] values) => Catalog.Get(language, key, values);
}
