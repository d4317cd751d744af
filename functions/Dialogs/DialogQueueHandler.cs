using Parley.Functions.Accounts;
using Parley.Functions.Calls;
using Parley.Functions.Identity;
using Parley.Functions.Notifications;
using Parley.Functions.Notifications.Providers;
using Parley.Functions.Storage;
using Parley.Functions.Workflows;

namespace Parley.Functions.Dialogs;

/// <summary>Work item: tell the other side about message <see cref="Seq"/> of a dialog.</summary>
public sealed record DialogWork(string AccountId, string DialogId, int Seq, bool CallCustomer = false, int Attempt = 0);

/// <summary>
/// The dialog workflow, one step per message:
/// <list type="bullet">
/// <item>A customer's message → e-mail to the adviser (their alert address; the sign-in address when they never set
/// alerts up) with a link into the dashboard, SMS when switched on, and — for the <b>first</b> message only — an
/// automated call to the voice number ("A customer has left you a message by e-mail", in the adviser's language).</item>
/// <item>An adviser's message → e-mail to the customer with the whole dialog and the reply link; a call when the adviser
/// ticked "call customer"; an SMS when the customer gave a number and the account sends SMS to customers.</item>
/// </list>
/// Messages go through the idempotent <see cref="NotificationSender"/> (ids "{dialog}|m{seq}|{channel}") and calls
/// through <see cref="CallService"/> with ids derived from dialog and message, so duplicates send nothing twice.
/// </summary>
public sealed class DialogQueueHandler(
    DialogStore store,
    AccountStore accounts,
    DialogTexts texts,
    NotificationSender sender,
    CallService calls,
    DialogQueue queue,
    ReplyLinks replyLinks,
    Hosting.PublicUrl publicUrl,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<DialogQueueHandler> logger) : IQueueHandler
{
    public static string QueueName => "dialogs";

    public async Task HandleAsync(QueueWorkItem message, CancellationToken ct)
    {
        var work = message.ReadJson<DialogWork>();
        var dialog = await store.GetAsync(work.AccountId, work.DialogId, ct);
        if (dialog is null)
        {
            return;
        }
        var messages = await store.MessagesAsync(work.AccountId, work.DialogId, ct);
        var current = messages.FirstOrDefault(m => m.Seq == work.Seq);
        var tenant = new Tenant(work.AccountId, null, OperatorRole.Administrator, "system");
        var account = await accounts.GetSettingsAsync(tenant, ct);
        var adviser = await accounts.GetOperatorAsync(tenant, dialog.OperatorId, ct);
        if (current is null || account is null || adviser is null)
        {
            return;
        }
        var settings = await store.GetSettingsAsync(work.AccountId, ct);
        var thread = messages.Where(m => m.Seq <= work.Seq).ToList();
        ProviderUnavailableException? unavailable;
        if (current.From == DialogParty.Customer)
        {
            unavailable = await AlertAdviserAsync(dialog, thread, current, account, adviser, settings, ct);
        }
        else
        {
            unavailable = await AnswerCustomerAsync(dialog, thread, current, account, adviser, settings, work.CallCustomer, ct);
        }
        if (unavailable is not null)
        {
            if (work.Attempt + 1 >= AppointmentMessagesOrchestrator.MaxAttempts)
            {
                logger.LogError("Giving up on dialog {DialogId} message {Seq} after {Attempts} attempts", dialog.Id, work.Seq, work.Attempt + 1);
                return;
            }
            await queue.EnqueueAsync(work with { Attempt = work.Attempt + 1 }, unavailable.RetryAfter ?? AppointmentMessagesOrchestrator.Backoff(work.Attempt), ct);
        }
    }

    private async Task<ProviderUnavailableException?> AlertAdviserAsync(Dialog dialog, IReadOnlyList<DialogMessage> thread, DialogMessage current, Account account,
        Operator adviser, DialogSettings settings, CancellationToken ct)
    {
        var alerts = await store.GetAlertsAsync(dialog.AccountId, dialog.OperatorId, ct);
        var language = adviser.Language;
        var link = $"{publicUrl.Origin}/dialogs/{dialog.Id}";
        var first = current.Seq == 1;
        var customer = texts.Get(language, "customer", ("customerId", dialog.CustomerId));
        var (threadText, threadHtml) = texts.Thread(dialog, thread, language, customer, adviser.Name);
        var intro = texts.Get(language, "alertIntro", ("customerId", dialog.CustomerId), ("keyword", dialog.Keyword));
        var when = When(dialog, language);
        var subject = texts.Get(language, first ? "alertSubject" : "replySubject", ("customerId", dialog.CustomerId));
        var email = alerts is null ? adviser.Email : alerts.EmailOn ? alerts.Email : null;
        ProviderUnavailableException? unavailable = null;
        if (email is not null)
        {
            var html = $"<p>{DialogTexts.Encode(intro)}</p>" + (when is null ? "" : $"<p>{DialogTexts.Encode(when)}</p>")
                + $"<p><a href=\"{DialogTexts.Encode(link)}\" style=\"display:inline-block;background:#2563eb;color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none\">{DialogTexts.Encode(texts.Get(language, "openLink"))}</a></p>"
                + threadHtml;
            var text = $"{intro}\n{when}\n\n{texts.Get(language, "openLink")}: {link}\n{threadText}";
            unavailable = await SendAsync(dialog, current, MessageKind.DialogAlert, MessageChannel.Email, email, adviser.Name, language, account, subject, text, html, ct);
        }
        if (alerts is { SmsOn: true, SmsPhone: { } sms })
        {
            var text = texts.Get(language, first ? "alertSms" : "replySms", ("customerId", dialog.CustomerId), ("keyword", dialog.Keyword), ("link", link));
            // Every channel is tried in each round (a failed e-mail must not hold back the SMS); the first outage is kept.
            var smsUnavailable = await SendAsync(dialog, current, MessageKind.DialogAlert, MessageChannel.Sms, sms, adviser.Name, language, account, subject, text, null, ct);
            unavailable ??= smsUnavailable;
        }
        if (first && alerts is { VoiceOn: true, VoicePhone: { } voice })
        {
            await calls.StartAsync(new CallRequest(dialog.AccountId, $"dlg-{dialog.Id}-alert", "dialog-alert", dialog.Id, voice, settings.CallerId, language,
                texts.Get(language, "alertCall")), ct);
        }
        return unavailable;
    }

    private async Task<ProviderUnavailableException?> AnswerCustomerAsync(Dialog dialog, IReadOnlyList<DialogMessage> thread, DialogMessage current, Account account,
        Operator adviser, DialogSettings settings, bool callCustomer, CancellationToken ct)
    {
        var language = dialog.Language;
        var values = new[] { ("adviserName", adviser.Name), ("businessName", account.BusinessName) };
        var (threadText, threadHtml) = texts.Thread(dialog, thread, language, texts.Get(language, "you"), adviser.Name);
        // Parley's public address, never the one stored from the widget's request (its Host header is the caller's to choose).
        var link = replyLinks.Url(publicUrl.Origin, dialog);
        var intro = texts.Get(language, "answerIntro", values);
        var label = texts.Get(language, "answerLinkLabel");
        var html = $"<p>{DialogTexts.Encode(intro)}</p><p style=\"white-space:pre-wrap;border-left:3px solid #2563eb;padding-left:12px\">{DialogTexts.Encode(current.Text)}</p>"
            + $"<p><a href=\"{DialogTexts.Encode(link)}\" style=\"display:inline-block;background:#2563eb;color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none\">{DialogTexts.Encode(label)}</a></p>"
            + $"<h3 style=\"font-size:15px\">{DialogTexts.Encode(texts.Get(language, "thread"))}</h3>" + threadHtml;
        var text = $"{intro}\n\n{current.Text}\n\n{label}: {link}\n\n{texts.Get(language, "thread")}:\n{threadText}";
        var subject = texts.Get(language, "answerSubject", values);
        var unavailable = await SendAsync(dialog, current, MessageKind.DialogAnswer, MessageChannel.Email, dialog.Contact.Email, null, language, account, subject, text, html, ct);
        if (settings.SmsToCustomers && dialog.Contact.SmsPhone is { } sms)
        {
            var smsUnavailable = await SendAsync(dialog, current, MessageKind.DialogAnswer, MessageChannel.Sms, sms, null, language, account, subject,
                texts.Get(language, "answerSms", values), null, ct);
            unavailable ??= smsUnavailable;
        }
        if (callCustomer && dialog.Contact.CallPhone is { } phone)
        {
            await calls.StartAsync(new CallRequest(dialog.AccountId, $"dlg-{dialog.Id}-m{current.Seq}-call", CallService.CustomerOfDialogPurpose, dialog.Id, phone, settings.CallerId, language,
                texts.Get(language, "answerCall")), ct);
        }
        return unavailable;
    }

    private async Task<ProviderUnavailableException?> SendAsync(Dialog dialog, DialogMessage current, MessageKind kind, MessageChannel channel, string to, string? toName,
        string language, Account account, string subject, string text, string? html, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var id = $"{dialog.Id}|m{current.Seq}|{channel.ToString().ToLowerInvariant()}";
        var planned = new MessageRecord(dialog.AccountId, id, dialog.Id, kind, channel, to, language, MessageStatus.Queued, null, false, 0, null, now, now);
        var from = channel == MessageChannel.Sms
            ? configuration["Communication:SmsFrom"] ?? "Parley"
            : account.SenderEmail ?? configuration["Communication:EmailFrom"] ?? "no-reply@parley.local";
        try
        {
            await sender.SendAsync(planned, new OutgoingMessage(dialog.AccountId, id, channel, to, toName, from, account.SenderName ?? account.BusinessName, subject, text, html, now, RecipientHidden: kind == MessageKind.DialogAnswer), ct);
            return null;
        }
        catch (ProviderUnavailableException ex)
        {
            return ex;
        }
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

/// <summary>Puts dialog work on its queue.</summary>
public sealed class DialogQueue(StorageAccount storage)
{
    public Task EnqueueAsync(DialogWork work, TimeSpan? delay, CancellationToken ct) =>
        storage.GetQueueClient(DialogQueueHandler.QueueName).SendJsonAsync(work, delay, cancellationToken: ct);
}
