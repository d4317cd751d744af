using Parley.Functions.Accounts;
using Parley.Functions.Appointments;
using Parley.Functions.Identity;
using Parley.Functions.Storage;
using Parley.Functions.Workflows;

namespace Parley.Functions.Notifications;

/// <summary>A reminder planned for an appointment as it stood when planned (<see cref="PlannedStartTicks"/>).</summary>
public sealed record ReminderWork(string AccountId, string AppointmentId, long PlannedStartTicks, int OffsetMinutes, DateTimeOffset Due, int Attempt = 0);

/// <summary>
/// The reminder workflow, read top to bottom:
/// <list type="number">
/// <item>Planned when an appointment is scheduled or moved: one message per offset, hidden until due (hops of ≤ 7 days);
/// reminders already in the past are skipped.</item>
/// <item>When a message shows up early (a hop), it is hidden again until due.</item>
/// <item>When due, the appointment is read again: cancelled, deleted or moved since → nothing (the move planned its own).</item>
/// <item>Once the appointment is over, nothing is sent any more.</item>
/// <item>Otherwise each invitation channel gets the reminder, once (message id = appointment + planned start + offset).
/// A provider outage puts the work back with growing delays; what goes out late is marked late.</item>
/// </list>
/// </summary>
public sealed class ReminderQueueHandler(
    AppointmentStore appointments,
    CustomerMessenger messenger,
    ReminderQueue queue,
    TimeProvider time,
    ILogger<ReminderQueueHandler> logger) : IQueueHandler
{
    public static string QueueName => "reminders";
    private static readonly TimeSpan LateAfter = TimeSpan.FromMinutes(5);

    public async Task HandleAsync(QueueWorkItem message, CancellationToken ct)
    {
        var work = message.ReadJson<ReminderWork>();
        var now = time.GetUtcNow();
        if (now < work.Due)
        {
            await queue.EnqueueAsync(work, ReminderPlan.NextHop(now, work.Due), ct);
            return;
        }
        var tenant = new Tenant(work.AccountId, null, OperatorRole.Administrator, "system");
        var appointment = await appointments.GetAsync(tenant, work.AppointmentId, ct);
        if (appointment is null || appointment.Status == AppointmentStatus.Cancelled || appointment.Start.UtcTicks != work.PlannedStartTicks || appointment.Type == AppointmentType.Group)
        {
            return; // stale: cancelled, deleted or moved (the move planned new reminders)
        }
        if (now >= appointment.End)
        {
            logger.LogWarning("Reminder for appointment {AppointmentId} not sent: the appointment is over", appointment.Id);
            return;
        }
        var context = await messenger.LoadAsync(tenant, appointment, ct);
        if (context is null)
        {
            return;
        }
        var facts = new MessageFacts(appointment.Invitation.Language, context.Account.BusinessName, context.GreetingName, context.OperatorName,
            appointment.Start, appointment.TimeZone, messenger.JoinUrl(appointment), appointment.PinProtected ? appointment.Pin : null, null);
        var unavailable = await messenger.SendAsync(work.AccountId, appointment, context, MessageKind.Reminder, facts, appointment.Invitation,
            $"r{work.PlannedStartTicks}-{work.OffsetMinutes}", late: now - work.Due > LateAfter, recordMissing: false, message.DequeueCount, ct);
        if (unavailable is not null)
        {
            var retryAt = now + (unavailable.RetryAfter ?? NotificationQueueHandler.Backoff(work.Attempt));
            if (retryAt >= appointment.End)
            {
                logger.LogError("Reminder for appointment {AppointmentId} given up: the provider stayed unavailable until the appointment", appointment.Id);
                return;
            }
            // Keep the due time: what goes out after it is marked late.
            await queue.EnqueueAsync(work with { Attempt = work.Attempt + 1 }, retryAt - now, ct);
        }
    }
}

/// <summary>Plans and re-plans reminder messages on the reminders queue (virtual for clock-driven tests that record the hops).</summary>
public class ReminderQueue(StorageAccount storage, TimeProvider time)
{
    public virtual Task EnqueueAsync(ReminderWork work, TimeSpan delay, CancellationToken ct) =>
        storage.GetQueueClient(ReminderQueueHandler.QueueName).SendJsonAsync(work, delay > ReminderPlan.MaxHop ? ReminderPlan.MaxHop : delay, cancellationToken: ct);

    /// <summary>Plans the account's reminders for an appointment as it is now; those already due are skipped, not sent.</summary>
    public async Task<int> PlanAsync(string accountId, Appointment appointment, IReadOnlyList<int> offsets, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var planned = 0;
        foreach (var offset in offsets)
        {
            var due = ReminderPlan.DueAt(appointment.Start, appointment.TimeZone, offset);
            if (due <= now)
            {
                continue;
            }
            await EnqueueAsync(new ReminderWork(accountId, appointment.Id, appointment.Start.UtcTicks, offset, due), ReminderPlan.NextHop(now, due), ct);
            planned++;
        }
        return planned;
    }
}
