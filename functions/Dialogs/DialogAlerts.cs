using Parley.Functions.Accounts;
using Parley.Functions.Calls;
using Parley.Functions.Common;
using Parley.Functions.Identity;
using Parley.Functions.Notifications;
using Parley.Functions.Notifications.Providers;

namespace Parley.Functions.Dialogs;

/// <summary>
/// What an alert is about: message <see cref="Seq"/> of a dialog as one request wrote it. <see cref="Fingerprint"/>
/// tells that message from another one written with the same number by a concurrent request (whose write then won);
/// <see cref="CallCustomer"/> is the adviser's "call the customer" tick.
/// </summary>
public sealed record DialogAlert(string AccountId, string DialogId, int Seq, bool CallCustomer, string Fingerprint)
{
    public static string FingerprintOf(DialogMessage message) => SecureTokens.Hash($"{message.From}|{message.OperatorId}|{message.Text}")[..16];
}

/// <summary>One way of telling the other side about a message.</summary>
public enum AlertChannel
{
    AdviserEmail,
    AdviserSms,
    AdviserCall,
    CustomerEmail,
    CustomerSms,
    CustomerCall,
}

/// <summary>
/// The contents of dialog alerts, for <see cref="DialogAlertOrchestrator"/>'s activities:
/// <list type="bullet">
/// <item>A customer's message → e-mail to the adviser (their alert address; the sign-in address when they never set
/// alerts up) with a link into the dashboard, SMS when switched on, and — for the <b>first</b> message only — an
/// automated call to the voice number ("A customer has left you a message by e-mail", in the adviser's language).</item>
/// <item>An adviser's message → e-mail to the customer with the whole dialog and the reply link; a call when the adviser
/// ticked "call customer"; an SMS when the customer gave a number and the account sends SMS to customers.</item>
/// </list>
/// Messages go through the idempotent <see cref="NotificationSender"/> (ids "{dialog}|m{seq}|{channel}") and calls
/// through <see cref="CallService"/> with ids derived from dialog and message, so running a step twice sends nothing twice.
/// </summary>
public sealed class DialogAlerts(
    DialogStore store,
    AccountStore accounts,
    DialogTexts texts,
    NotificationSender sender,
    CallService calls,
    ReplyLinks replyLinks,
    Hosting.PublicUrl publicUrl,
    IConfiguration configuration,
    TimeProvider time)
{
    /// <summary>Everything an alert is made of, read fresh by each step.</summary>
    private sealed record Facts(Dialog Dialog, IReadOnlyList<DialogMessage> Thread, DialogMessage Current, Account Account, Operator Adviser, DialogSettings Settings, AdviserAlerts? Alerts)
    {
        public bool First => Current.Seq == 1;
    }

    /// <summary>The channels to use; none when the message was never written (or is another request's), or the dialog or its adviser is gone.</summary>
    public async Task<IReadOnlyList<AlertChannel>> PlanAsync(DialogAlert alert, CancellationToken ct)
    {
        if (await LoadAsync(alert, ct) is not { } f)
        {
            return [];
        }
        var channels = new List<AlertChannel>();
        if (f.Current.From == DialogParty.Customer)
        {
            Add(AlertChannel.AdviserEmail, AdviserEmail(f) is not null);
            Add(AlertChannel.AdviserSms, f.Alerts is { SmsOn: true, SmsPhone: not null });
            Add(AlertChannel.AdviserCall, f.First && f.Alerts is { VoiceOn: true, VoicePhone: not null });
        }
        else
        {
            Add(AlertChannel.CustomerEmail, true);
            Add(AlertChannel.CustomerSms, f.Settings.SmsToCustomers && f.Dialog.Contact.SmsPhone is not null);
            Add(AlertChannel.CustomerCall, alert.CallCustomer && f.Dialog.Contact.CallPhone is not null);
        }
        return channels;

        void Add(AlertChannel channel, bool on)
        {
            if (on)
            {
                channels.Add(channel);
            }
        }
    }

    /// <summary>Sends on one channel (or starts the call). Null when done — sent now or before, or refused for good; the outage otherwise.</summary>
    public async Task<ProviderUnavailableException?> SendAsync(DialogAlert alert, AlertChannel channel, CancellationToken ct)
    {
        if (await LoadAsync(alert, ct) is not { } f)
        {
            return null;
        }
        if (Call(f, channel) is { } call)
        {
            await calls.StartAsync(call, ct);
            return null;
        }
        if (Compose(f, channel) is not { } message)
        {
            return null; // the address was removed since the plan
        }
        try
        {
            await sender.SendAsync(message.Planned, message.Content, ct);
            return null;
        }
        catch (ProviderUnavailableException ex)
        {
            return ex;
        }
    }

    /// <summary>Marks the message of <paramref name="channel"/> failed for good with <paramref name="reason"/>.</summary>
    public async Task GiveUpAsync(DialogAlert alert, AlertChannel channel, string reason, CancellationToken ct)
    {
        if (await LoadAsync(alert, ct) is { } f && Compose(f, channel) is { } message)
        {
            await sender.FailAsync(message.Planned, reason, ct);
        }
    }

    private async Task<Facts?> LoadAsync(DialogAlert alert, CancellationToken ct)
    {
        var dialog = await store.GetAsync(alert.AccountId, alert.DialogId, ct);
        if (dialog is null)
        {
            return null;
        }
        var messages = await store.MessagesAsync(alert.AccountId, alert.DialogId, ct);
        var current = messages.FirstOrDefault(m => m.Seq == alert.Seq);
        if (current is null || DialogAlert.FingerprintOf(current) != alert.Fingerprint)
        {
            return null;
        }
        var tenant = new Tenant(alert.AccountId, null, OperatorRole.Administrator, "system");
        var account = await accounts.GetSettingsAsync(tenant, ct);
        var adviser = await accounts.GetOperatorAsync(tenant, dialog.OperatorId, ct);
        if (account is null || adviser is null)
        {
            return null;
        }
        var settings = await store.GetSettingsAsync(alert.AccountId, ct);
        var alerts = current.From == DialogParty.Customer ? await store.GetAlertsAsync(alert.AccountId, dialog.OperatorId, ct) : null;
        return new Facts(dialog, messages.Where(m => m.Seq <= alert.Seq).ToList(), current, account, adviser, settings, alerts);
    }

    private static string? AdviserEmail(Facts f) => f.Alerts is null ? f.Adviser.Email : f.Alerts.EmailOn ? f.Alerts.Email : null;

    private CallRequest? Call(Facts f, AlertChannel channel) => channel switch
    {
        AlertChannel.AdviserCall when f.Alerts?.VoicePhone is { } voice => new CallRequest(f.Dialog.AccountId, $"dlg-{f.Dialog.Id}-alert", "dialog-alert", f.Dialog.Id, voice,
            f.Settings.CallerId, f.Adviser.Language, texts.Get(f.Adviser.Language, "alertCall")),
        AlertChannel.CustomerCall when f.Dialog.Contact.CallPhone is { } phone => new CallRequest(f.Dialog.AccountId, $"dlg-{f.Dialog.Id}-m{f.Current.Seq}-call",
            CallService.CustomerOfDialogPurpose, f.Dialog.Id, phone, f.Settings.CallerId, f.Dialog.Language, texts.Get(f.Dialog.Language, "answerCall")),
        _ => null,
    };

    /// <summary>The delivery record and the message of an e-mail or SMS channel; null when it has no address (or is a call).</summary>
    private (MessageRecord Planned, OutgoingMessage Content)? Compose(Facts f, AlertChannel channel) => channel switch
    {
        AlertChannel.AdviserEmail when AdviserEmail(f) is { } email => AdviserEmailMessage(f, email),
        AlertChannel.AdviserSms when f.Alerts?.SmsPhone is { } sms => Message(f, MessageKind.DialogAlert, MessageChannel.Sms, sms, f.Adviser.Name, f.Adviser.Language,
            AdviserSubject(f), texts.Get(f.Adviser.Language, f.First ? "alertSms" : "replySms", ("customerId", f.Dialog.CustomerId), ("keyword", f.Dialog.Keyword), ("link", DashboardLink(f))), null),
        AlertChannel.CustomerEmail => CustomerEmailMessage(f),
        AlertChannel.CustomerSms when f.Dialog.Contact.SmsPhone is { } sms => Message(f, MessageKind.DialogAnswer, MessageChannel.Sms, sms, null, f.Dialog.Language,
            texts.Get(f.Dialog.Language, "answerSubject", AnswerValues(f)), texts.Get(f.Dialog.Language, "answerSms", AnswerValues(f)), null),
        _ => null,
    };

    private string DashboardLink(Facts f) => $"{publicUrl.Origin}/dialogs/{f.Dialog.Id}";

    private string AdviserSubject(Facts f) => texts.Get(f.Adviser.Language, f.First ? "alertSubject" : "replySubject", ("customerId", f.Dialog.CustomerId));

    private static (string, string)[] AnswerValues(Facts f) => [("adviserName", f.Adviser.Name), ("businessName", f.Account.BusinessName)];

    private (MessageRecord, OutgoingMessage) AdviserEmailMessage(Facts f, string email)
    {
        var language = f.Adviser.Language;
        var link = DashboardLink(f);
        var customer = texts.Get(language, "customer", ("customerId", f.Dialog.CustomerId));
        var (threadText, threadHtml) = texts.Thread(f.Dialog, f.Thread, language, customer, f.Adviser.Name);
        var intro = texts.Get(language, "alertIntro", ("customerId", f.Dialog.CustomerId), ("keyword", f.Dialog.Keyword));
        var when = When(f.Dialog, language);
        var html = $"<p>{DialogTexts.Encode(intro)}</p>" + (when is null ? "" : $"<p>{DialogTexts.Encode(when)}</p>")
            + $"<p><a href=\"{DialogTexts.Encode(link)}\" style=\"display:inline-block;background:#2563eb;color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none\">{DialogTexts.Encode(texts.Get(language, "openLink"))}</a></p>"
            + threadHtml;
        var text = $"{intro}\n{when}\n\n{texts.Get(language, "openLink")}: {link}\n{threadText}";
        return Message(f, MessageKind.DialogAlert, MessageChannel.Email, email, f.Adviser.Name, language, AdviserSubject(f), text, html);
    }

    private (MessageRecord, OutgoingMessage) CustomerEmailMessage(Facts f)
    {
        var language = f.Dialog.Language;
        var (threadText, threadHtml) = texts.Thread(f.Dialog, f.Thread, language, texts.Get(language, "you"), f.Adviser.Name);
        // Parley's public address, never the one stored from the widget's request (its Host header is the caller's to choose).
        var link = replyLinks.Url(publicUrl.Origin, f.Dialog);
        var intro = texts.Get(language, "answerIntro", AnswerValues(f));
        var label = texts.Get(language, "answerLinkLabel");
        var html = $"<p>{DialogTexts.Encode(intro)}</p><p style=\"white-space:pre-wrap;border-left:3px solid #2563eb;padding-left:12px\">{DialogTexts.Encode(f.Current.Text)}</p>"
            + $"<p><a href=\"{DialogTexts.Encode(link)}\" style=\"display:inline-block;background:#2563eb;color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none\">{DialogTexts.Encode(label)}</a></p>"
            + $"<h3 style=\"font-size:15px\">{DialogTexts.Encode(texts.Get(language, "thread"))}</h3>" + threadHtml;
        var text = $"{intro}\n\n{f.Current.Text}\n\n{label}: {link}\n\n{texts.Get(language, "thread")}:\n{threadText}";
        return Message(f, MessageKind.DialogAnswer, MessageChannel.Email, f.Dialog.Contact.Email, null, language, texts.Get(language, "answerSubject", AnswerValues(f)), text, html);
    }

    private (MessageRecord, OutgoingMessage) Message(Facts f, MessageKind kind, MessageChannel channel, string to, string? toName, string language, string subject, string text, string? html)
    {
        var now = time.GetUtcNow();
        var id = $"{f.Dialog.Id}|m{f.Current.Seq}|{channel.ToString().ToLowerInvariant()}";
        var planned = new MessageRecord(f.Dialog.AccountId, id, f.Dialog.Id, kind, channel, to, language, MessageStatus.Queued, null, false, 0, null, now, now);
        var from = channel == MessageChannel.Sms
            ? configuration["Communication:SmsFrom"] ?? "Parley"
            : f.Account.SenderEmail ?? configuration["Communication:EmailFrom"] ?? "no-reply@parley.local";
        return (planned, new OutgoingMessage(f.Dialog.AccountId, id, channel, to, toName, from, f.Account.SenderName ?? f.Account.BusinessName, subject, text, html, now,
            RecipientHidden: kind == MessageKind.DialogAnswer));
    }

    private string? When(Dialog dialog, string language)
    {
        if (dialog.WishedAt is { } wished)
        {
            var (date, t) = DialogTexts.Format(wished, dialog.TimeZone, language);
            return texts.Get(language, "wishedAt", ("date", date), ("time", t));
        }
        return dialog.AvailableUntil is { } until ? texts.Get(language, "availableUntil", ("time", DialogTexts.Format(until, dialog.TimeZone, language).Time)) : null;
    }
}
