using Parley.Functions.Accounts;
using Parley.Functions.Appointments;
using Parley.Functions.Identity;
using Parley.Functions.Storage;
using Parley.Functions.Workflows;

namespace Parley.Functions.Notifications;

/// <summary>
/// Work item: deliver what history entry <see cref="HistoryIndex"/> of an appointment means for the customer. A
/// <see cref="HandOver"/> item, queued (hidden) before the appointment is written, covers every entry from that index
/// on that has no messages yet: it delivers what a lost immediate item would have.
/// </summary>
public sealed record NotificationWork(string AccountId, string AppointmentId, int HistoryIndex, int Attempt = 0, bool HandOver = false);

/// <summary>
/// The invitation workflow, one step per history entry of an appointment: scheduled → invitation, rescheduled →
/// reschedule notice, cancelled → cancellation, invitationsResent → invitation again; on the channels the entry
/// asked for, in its language, with the time the entry recorded. Provider outages do not poison the work: it is
/// put back with growing delays (up to about 12 hours) and the messages are marked late; after that they are failed.
/// </summary>
public sealed class NotificationQueueHandler(
    AppointmentStore appointments,
    CustomerMessenger messenger,
    NotificationQueue queue,
    ReminderQueue reminders,
    ILogger<NotificationQueueHandler> logger) : IQueueHandler
{
    public static string QueueName => "notifications";
    public const int MaxAttempts = 12;

    public async Task HandleAsync(QueueWorkItem message, CancellationToken ct)
    {
        var work = message.ReadJson<NotificationWork>();
        var tenant = new Tenant(work.AccountId, null, OperatorRole.Administrator, "system");
        var appointment = await appointments.GetAsync(tenant, work.AppointmentId, ct);
        if (appointment is null || appointment.Type == AppointmentType.Group)
        {
            return; // never written (the hand-over of a failed write), deleted, or a group meeting (the operator shares the link)
        }
        if (!work.HandOver)
        {
            await HandleEntryAsync(tenant, appointment, work, message.DequeueCount, ct);
            return;
        }
        for (var index = work.HistoryIndex; index < appointment.History.Count; index++)
        {
            if (!await messenger.AnySentForAsync(work.AccountId, appointment.Id, $"h{index}", ct))
            {
                logger.LogWarning("Appointment {AppointmentId}: history entry {Index} had no messages; the hand-over delivers them", appointment.Id, index);
                await HandleEntryAsync(tenant, appointment, work with { HistoryIndex = index, HandOver = false }, message.DequeueCount, ct);
            }
        }
    }

    private async Task HandleEntryAsync(Tenant tenant, Appointment appointment, NotificationWork work, long dequeueCount, CancellationToken ct)
    {
        var entry = appointment.History.ElementAtOrDefault(work.HistoryIndex);
        if (entry is null)
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
        var context = await messenger.LoadAsync(tenant, appointment, ct);
        if (context is null)
        {
            return;
        }
        var invitation = entry.Invitation ?? appointment.Invitation;
        if (kind is MessageKind.Invitation or MessageKind.Reschedule && entry.Action != "invitationsResent" && work.Attempt == 0
            && appointment.Start == (entry.Start ?? appointment.Start) && (invitation.Sms || invitation.Email))
        {
            // Reminders for the time this entry set (a later move plans its own; duplicates are harmless: messages are idempotent).
            await reminders.PlanAsync(work.AccountId, appointment, context.Account.ReminderOffsetMinutes, ct);
        }
        var facts = new MessageFacts(invitation.Language, context.Account.BusinessName, context.GreetingName, context.OperatorName, entry.Start ?? appointment.Start,
            appointment.TimeZone, messenger.JoinUrl(appointment), appointment.PinProtected ? appointment.Pin : null, entry.Reason);
        var unavailable = await messenger.SendAsync(work.AccountId, appointment, context, kind.Value, facts, invitation, $"h{work.HistoryIndex}",
            late: work.Attempt > 0, recordMissing: true, dequeueCount, ct);

        if (unavailable is not null)
        {
            if (work.Attempt + 1 >= MaxAttempts)
            {
                logger.LogError("Giving up on notifications for appointment {AppointmentId} after {Attempts} attempts", appointment.Id, MaxAttempts);
                return;
            }
            var delay = unavailable.RetryAfter ?? Backoff(work.Attempt);
            logger.LogWarning("Provider unavailable for appointment {AppointmentId}; retrying in {Delay}", appointment.Id, delay);
            await queue.EnqueueAsync(work with { Attempt = work.Attempt + 1 }, delay, ct);
        }
    }

    /// <summary>30 s, 1 min, 2 min … capped at 2 hours: about 12 hours over <see cref="MaxAttempts"/> attempts.</summary>
    public static TimeSpan Backoff(int attempt) => TimeSpan.FromSeconds(Math.Min(7200, 30 * Math.Pow(2, attempt)));
}

/// <summary>Puts notification work on its queue.</summary>
public sealed class NotificationQueue(StorageAccount storage)
{
    /// <summary>How long the hand-over item stays hidden: the immediate item normally has done its work by then.</summary>
    public static readonly TimeSpan HandOverDelay = TimeSpan.FromMinutes(1);

    public Task EnqueueAsync(NotificationWork work, TimeSpan? delay, CancellationToken ct) =>
        storage.GetQueueClient(NotificationQueueHandler.QueueName).SendJsonAsync(work, delay, cancellationToken: ct);

    /// <summary>
    /// The durable half of the hand-over from an appointment write to the workflow, queued <i>before</i> the write: if
    /// the write fails it finds nothing to do; if the immediate item after the write is lost (a crash, a queue outage),
    /// it delivers the messages a minute late instead of never. Throws when the queue is down, so nothing is written.
    /// </summary>
    public Task HandOverAsync(string accountId, string appointmentId, int fromHistoryIndex, CancellationToken ct) =>
        EnqueueAsync(new NotificationWork(accountId, appointmentId, fromHistoryIndex, HandOver: true), HandOverDelay, ct);
}
