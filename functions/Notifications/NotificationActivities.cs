using Microsoft.DurableTask;
using Parley.Functions.Accounts;
using Parley.Functions.Appointments;
using Parley.Functions.Durable;
using Parley.Functions.Identity;
using Parley.Functions.Notifications.Providers;

namespace Parley.Functions.Notifications;

/// <summary>Reads an appointment for the workflow (as the system, with administrator rights in its account).</summary>
internal static class WorkflowTenant
{
    public static Tenant For(string accountId) => new(accountId, null, OperatorRole.Administrator, "system");
}

/// <summary>Which history entries from the input's index on still need their messages, and what they are.</summary>
public sealed class PlanAppointmentMessagesActivity(AppointmentStore appointments, CustomerMessenger messenger) : TaskActivity<AppointmentMessagesInput, List<PlannedEntry>>
{
    public override async Task<List<PlannedEntry>> RunAsync(TaskActivityContext context, AppointmentMessagesInput input)
    {
        var appointment = await appointments.GetAsync(WorkflowTenant.For(input.AccountId), input.AppointmentId, CancellationToken.None);
        var planned = new List<PlannedEntry>();
        if (appointment is null || appointment.Type == AppointmentType.Group)
        {
            return planned; // never written (the hand-over of a failed write), deleted, or a group meeting (the operator shares the link)
        }
        for (var index = input.FromIndex; index < appointment.History.Count; index++)
        {
            var entry = appointment.History[index];
            var kind = KindOf(entry.Action);
            if (kind is null || await messenger.AnySentForAsync(input.AccountId, appointment.Id, Purpose(index), CancellationToken.None))
            {
                continue; // nothing to tell, or another instance (a concurrent write's) has it in hand
            }
            var invitation = entry.Invitation ?? appointment.Invitation;
            var channels = new List<MessageChannel>();
            if (invitation.Email)
            {
                channels.Add(MessageChannel.Email);
            }
            if (invitation.Sms)
            {
                channels.Add(MessageChannel.Sms);
            }
            var startsReminders = entry.Action is "scheduled" or "rescheduled" && channels.Count > 0;
            planned.Add(new PlannedEntry(index, kind.Value, channels, startsReminders, EndsReminders: entry.Action is "rescheduled" or "cancelled",
                AlertsOperators: Booking.BookingAlertActivity.Applies(entry)));
        }
        return planned;
    }

    public static MessageKind? KindOf(string action) => action switch
    {
        "scheduled" or "invitationsResent" or "pinReissued" => MessageKind.Invitation,
        "rescheduled" => MessageKind.Reschedule,
        "cancelled" => MessageKind.Cancellation,
        _ => null,
    };

    public static string Purpose(int historyIndex) => $"h{historyIndex}";
}

/// <summary>Sends one history entry's message on one channel (idempotent: message id = appointment + entry + channel).</summary>
public sealed class SendAppointmentMessageActivity(AppointmentStore appointments, CustomerMessenger messenger) : TaskActivity<EntryMessage, SendOutcome>
{
    public override async Task<SendOutcome> RunAsync(TaskActivityContext context, EntryMessage input)
    {
        var tenant = WorkflowTenant.For(input.AccountId);
        var appointment = await appointments.GetAsync(tenant, input.AppointmentId, CancellationToken.None);
        var entry = appointment?.History.ElementAtOrDefault(input.Index);
        var kind = entry is null ? null : PlanAppointmentMessagesActivity.KindOf(entry.Action);
        if (appointment is null || entry is null || kind is null || (appointment.Status == AppointmentStatus.Cancelled && kind != MessageKind.Cancellation))
        {
            return new SendOutcome(false); // nothing to tell, or the appointment was cancelled before this could go out
        }
        var messageContext = await messenger.LoadAsync(tenant, appointment, CancellationToken.None);
        if (messageContext is null)
        {
            return new SendOutcome(false);
        }
        var invitation = entry.Invitation ?? appointment.Invitation;
        var facts = new MessageFacts(invitation.Language, messageContext.Account.BusinessName, messageContext.GreetingName, messageContext.OperatorName, entry.Start ?? appointment.Start,
            appointment.TimeZone, messenger.JoinUrl(appointment), appointment.PinProtected ? appointment.Pin : null, entry.Reason);
        var unavailable = await messenger.SendAsync(input.AccountId, appointment, messageContext, kind.Value, facts, invitation, PlanAppointmentMessagesActivity.Purpose(input.Index),
            late: input.Attempt > 0, recordMissing: true, CancellationToken.None, only: input.Channel);
        return unavailable is null ? new SendOutcome(false) : new SendOutcome(true, unavailable.RetryAfter, unavailable.Message);
    }
}

/// <summary>Marks one history entry's message on one channel failed for good, with the reason.</summary>
public sealed class FailAppointmentMessageActivity(AppointmentStore appointments, CustomerMessenger messenger, ILogger<FailAppointmentMessageActivity> logger) : TaskActivity<EntryMessage, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, EntryMessage input)
    {
        var tenant = WorkflowTenant.For(input.AccountId);
        var appointment = await appointments.GetAsync(tenant, input.AppointmentId, CancellationToken.None);
        var entry = appointment?.History.ElementAtOrDefault(input.Index);
        var messageContext = appointment is null ? null : await messenger.LoadAsync(tenant, appointment, CancellationToken.None);
        if (appointment is null || entry is null || messageContext is null || PlanAppointmentMessagesActivity.KindOf(entry.Action) is not { } kind)
        {
            return false;
        }
        logger.LogError("Appointment {AppointmentId}: the {Channel} message of history entry {Index} failed for good: {Reason}", appointment.Id, input.Channel, input.Index, input.FailReason);
        await messenger.FailAsync(input.AccountId, appointment, messageContext, kind, (entry.Invitation ?? appointment.Invitation).Language,
            PlanAppointmentMessagesActivity.Purpose(input.Index), input.Channel, input.FailReason ?? "Failed.", CancellationToken.None);
        return true;
    }
}

/// <summary>
/// After a scheduling, move or cancellation entry: ends the reminder instances of the appointment's earlier times and,
/// for a new time, starts the <see cref="ReminderOrchestrator"/> for it (instance id per appointment and entry, started once).
/// </summary>
public sealed class ReplanRemindersActivity(AppointmentStore appointments, CustomerMessenger messenger, Orchestrations orchestrations, TimeProvider time) : TaskActivity<EntryMessage, int>
{
    public static string InstanceId(string accountId, string appointmentId, int historyIndex) => $"reminders-{accountId}-{appointmentId}-h{historyIndex}";

    public override async Task<int> RunAsync(TaskActivityContext context, EntryMessage input)
    {
        var tenant = WorkflowTenant.For(input.AccountId);
        var appointment = await appointments.GetAsync(tenant, input.AppointmentId, CancellationToken.None);
        if (appointment is null)
        {
            return 0;
        }
        for (var earlier = 0; earlier < input.Index && earlier < appointment.History.Count; earlier++)
        {
            if (appointment.History[earlier].Action is "scheduled" or "rescheduled")
            {
                await orchestrations.TerminateAsync(InstanceId(input.AccountId, appointment.Id, earlier), "The appointment was moved or cancelled.");
            }
        }
        var entry = appointment.History.ElementAtOrDefault(input.Index);
        if (entry is not { Action: "scheduled" or "rescheduled" } || appointment.Status == AppointmentStatus.Cancelled || (entry.Start is { } start && start != appointment.Start))
        {
            return 0; // cancelled, or moved again since (that move plans its own)
        }
        var messageContext = await messenger.LoadAsync(tenant, appointment, CancellationToken.None);
        if (messageContext is null)
        {
            return 0;
        }
        var now = time.GetUtcNow();
        var reminders = messageContext.Account.ReminderOffsetMinutes
            .Select(offset => new PlannedReminder(offset, ReminderPlan.DueAt(appointment.Start, appointment.TimeZone, offset)))
            .Where(r => r.Due > now) // those already due when planned are skipped, not sent
            .ToList();
        if (reminders.Count == 0)
        {
            return 0;
        }
        await orchestrations.StartAsync(nameof(ReminderOrchestrator), InstanceId(input.AccountId, appointment.Id, input.Index),
            new ReminderInput(input.AccountId, appointment.Id, appointment.Start.UtcTicks, reminders), CancellationToken.None);
        return reminders.Count;
    }
}

/// <summary>Sends one reminder if the appointment still stands as planned (idempotent: message id = appointment + planned start + offset).</summary>
public sealed class SendReminderActivity(AppointmentStore appointments, CustomerMessenger messenger, TimeProvider time, ILogger<SendReminderActivity> logger) : TaskActivity<ReminderSend, ReminderOutcome>
{
    private static readonly TimeSpan LateAfter = TimeSpan.FromMinutes(5);

    public override async Task<ReminderOutcome> RunAsync(TaskActivityContext context, ReminderSend input)
    {
        var tenant = WorkflowTenant.For(input.AccountId);
        var appointment = await appointments.GetAsync(tenant, input.AppointmentId, CancellationToken.None);
        if (appointment is null || appointment.Status == AppointmentStatus.Cancelled || appointment.Start.UtcTicks != input.PlannedStartTicks || appointment.Type == AppointmentType.Group)
        {
            return new ReminderOutcome(ReminderOrchestrator.Stale); // cancelled, deleted or moved (the move planned new reminders)
        }
        var now = time.GetUtcNow();
        if (now >= appointment.End)
        {
            logger.LogWarning("Reminder for appointment {AppointmentId} not sent: the appointment is over", appointment.Id);
            return new ReminderOutcome(ReminderOrchestrator.Skipped);
        }
        var messageContext = await messenger.LoadAsync(tenant, appointment, CancellationToken.None);
        if (messageContext is null)
        {
            return new ReminderOutcome(ReminderOrchestrator.Skipped);
        }
        var facts = new MessageFacts(appointment.Invitation.Language, messageContext.Account.BusinessName, messageContext.GreetingName, messageContext.OperatorName,
            appointment.Start, appointment.TimeZone, messenger.JoinUrl(appointment), appointment.PinProtected ? appointment.Pin : null, null);
        var unavailable = await messenger.SendAsync(input.AccountId, appointment, messageContext, MessageKind.Reminder, facts, appointment.Invitation,
            $"r{input.PlannedStartTicks}-{input.OffsetMinutes}", late: now - input.Due > LateAfter, recordMissing: false, CancellationToken.None);
        return unavailable is null
            ? new ReminderOutcome(ReminderOrchestrator.Sent)
            : new ReminderOutcome(AppointmentMessagesOrchestrator.UnavailableState, unavailable.RetryAfter ?? ActivityRetry.ProviderBackoff(input.Attempt), appointment.End);
    }
}
