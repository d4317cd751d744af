using Parley.Functions.Accounts;
using Parley.Functions.Appointments;
using Parley.Functions.Cases;
using Parley.Functions.Identity;
using Parley.Functions.Notifications.Providers;
using Parley.Functions.Storage;
using Parley.Functions.Workflows;

namespace Parley.Functions.Notifications;

/// <summary>Work item: deliver what history entry <see cref="HistoryIndex"/> of an appointment means for the customer.</summary>
public sealed record NotificationWork(string AccountId, string AppointmentId, int HistoryIndex, int Attempt = 0);

/// <summary>
/// The invitation workflow, one step per history entry of an appointment: scheduled → invitation, rescheduled →
/// reschedule notice, cancelled → cancellation, invitationsResent → invitation again; on the channels the entry
/// asked for, in its language, with the time the entry recorded. Provider outages do not poison the work: it is
/// put back with growing delays (up to about 12 hours) and the messages are marked late; after that they are failed.
/// </summary>
public sealed class NotificationQueueHandler(
    AccountStore accounts,
    CaseStore cases,
    AppointmentStore appointments,
    MessageTemplates templates,
    NotificationSender sender,
    NotificationQueue queue,
    ReminderQueue reminders,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<NotificationQueueHandler> logger) : IQueueHandler
{
    public static string QueueName => "notifications";
    public const int MaxAttempts = 12;

    public async Task HandleAsync(QueueWorkItem message, CancellationToken ct)
    {
        var work = message.ReadJson<NotificationWork>();
        var tenant = new Tenant(work.AccountId, null, OperatorRole.Administrator, "system");
        var appointment = await appointments.GetAsync(tenant, work.AppointmentId, ct);
        var entry = appointment?.History.ElementAtOrDefault(work.HistoryIndex);
        if (appointment is null || entry is null || appointment.Type == AppointmentType.Group)
        {
            return;
        }
        var kind = entry.Action switch
        {
            "scheduled" or "invitationsResent" => MessageKind.Invitation,
            "rescheduled" => MessageKind.Reschedule,
            "cancelled" => MessageKind.Cancellation,
            _ => (MessageKind?)null,
        };
        if (kind is null || (appointment.Status == AppointmentStatus.Cancelled && kind != MessageKind.Cancellation))
        {
            return; // nothing to tell, or the appointment was cancelled before this could go out
        }
        var c = await cases.GetAsync(tenant, appointment.CaseId, ct);
        var account = await accounts.GetSettingsAsync(tenant, ct);
        if (c is null || account is null)
        {
            return;
        }
        var operatorName = (await accounts.ListOperatorsCachedAsync(tenant, ct)).FirstOrDefault(o => appointment.OperatorIds.Contains(o.Id))?.Name ?? account.BusinessName;
        var invitation = entry.Invitation ?? appointment.Invitation;
        var facts = new MessageFacts(invitation.Language, account.BusinessName, c.Name, operatorName, entry.Start ?? appointment.Start,
            appointment.TimeZone, appointments.JoinUrl(configuration["App:PublicUrl"] is { Length: > 0 } publicUrl ? publicUrl.TrimEnd('/') : appointment.Origin ?? PublicUrl(), appointment), appointment.PinProtected ? appointment.Pin : null, entry.Reason);
        var rendered = templates.Render(kind.Value, facts);
        var late = work.Attempt > 0;
        if (kind is MessageKind.Invitation or MessageKind.Reschedule && entry.Action != "invitationsResent" && work.Attempt == 0
            && appointment.Start == (entry.Start ?? appointment.Start))
        {
            // Reminders for the time this entry set (a later move plans its own; duplicates are harmless: messages are idempotent).
            await reminders.PlanAsync(work.AccountId, appointment, account.ReminderOffsetMinutes, ct);
        }

        ProviderUnavailableException? unavailable = null;
        foreach (var channel in new[] { (Channel: MessageChannel.Email, On: invitation.Email, To: c.Email), (Channel: MessageChannel.Sms, On: invitation.Sms, To: c.Phone) })
        {
            if (!channel.On)
            {
                continue;
            }
            var planned = new MessageRecord(work.AccountId, $"{appointment.Id}|h{work.HistoryIndex}|{channel.Channel.ToString().ToLowerInvariant()}", appointment.Id, kind.Value,
                channel.Channel, channel.To ?? "", invitation.Language, MessageStatus.Queued, null, late, 0, null, time.GetUtcNow(), time.GetUtcNow());
            if (channel.To is null)
            {
                await sender.FailAsync(planned, "The case has no " + (channel.Channel == MessageChannel.Sms ? "mobile number." : "e-mail address."), ct);
                continue;
            }
            var content = new OutgoingMessage(work.AccountId, planned.Id, channel.Channel, channel.To, c.Name,
                channel.Channel == MessageChannel.Sms ? configuration["Communication:SmsFrom"] ?? "Parley" : account.SenderEmail ?? configuration["Communication:EmailFrom"] ?? "no-reply@parley.local",
                account.SenderName ?? account.BusinessName, rendered.Subject, channel.Channel == MessageChannel.Sms ? rendered.Sms : rendered.Text,
                channel.Channel == MessageChannel.Email ? rendered.Html : null, time.GetUtcNow());
            try
            {
                await sender.SendAsync(planned, content, ct);
            }
            catch (ProviderUnavailableException ex)
            {
                unavailable = ex;
            }
            catch (Exception) when (message.DequeueCount >= 5)
            {
                // The last delivery of a message that keeps failing: show it on the appointment before it goes to poison.
                await sender.FailAsync(planned, "Could not be processed; an administrator was alerted.", CancellationToken.None);
                throw;
            }
        }

        if (unavailable is not null)
        {
            if (work.Attempt + 1 >= MaxAttempts)
            {
                logger.LogError("Giving up on notifications for appointment {AppointmentId} after {Attempts} attempts", appointment.Id, MaxAttempts);
                return; // records stay Sending with the last error; FailStale below marks them
            }
            var delay = unavailable.RetryAfter ?? Backoff(work.Attempt);
            logger.LogWarning("Provider unavailable for appointment {AppointmentId}; retrying in {Delay}", appointment.Id, delay);
            await queue.EnqueueAsync(work with { Attempt = work.Attempt + 1 }, delay, ct);
        }
    }

    /// <summary>30 s, 1 min, 2 min … capped at 2 hours: about 12 hours over <see cref="MaxAttempts"/> attempts.</summary>
    public static TimeSpan Backoff(int attempt) => TimeSpan.FromSeconds(Math.Min(7200, 30 * Math.Pow(2, attempt)));

    private string PublicUrl() => (configuration["App:PublicUrl"] is { Length: > 0 } url ? url : "http://localhost:7071").TrimEnd('/');
}

/// <summary>Puts notification work on its queue.</summary>
public sealed class NotificationQueue(StorageAccount storage)
{
    public Task EnqueueAsync(NotificationWork work, TimeSpan? delay, CancellationToken ct) =>
        storage.GetQueueClient(NotificationQueueHandler.QueueName).SendJsonAsync(work, delay, cancellationToken: ct);
}
