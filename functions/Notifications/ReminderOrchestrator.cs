using Microsoft.DurableTask;
using Parley.Functions.Durable;

namespace Parley.Functions.Notifications;

/// <summary>A reminder due at <see cref="Due"/>, <see cref="OffsetMinutes"/> before the planned start.</summary>
public sealed record PlannedReminder(int OffsetMinutes, DateTimeOffset Due);

/// <summary>The reminders of an appointment as it stood when planned (<see cref="PlannedStartTicks"/>).</summary>
public sealed record ReminderInput(string AccountId, string AppointmentId, long PlannedStartTicks, List<PlannedReminder> Reminders);

/// <summary>One reminder's send.</summary>
public sealed record ReminderSend(string AccountId, string AppointmentId, long PlannedStartTicks, int OffsetMinutes, DateTimeOffset Due, int Attempt);

/// <summary>What a reminder's send came to; <see cref="AppointmentEnd"/> bounds retries.</summary>
public sealed record ReminderOutcome(string State, TimeSpan? RetryAfter = null, DateTimeOffset? AppointmentEnd = null);

/// <summary>A reminder as the appointment page shows it (the instance's custom status).</summary>
public sealed record ReminderStatus(int OffsetMinutes, DateTimeOffset Due, string State);

/// <summary>
/// The reminders of one appointment time, read top to bottom: for each reminder in order of its due time, a durable
/// timer until it is due (waits longer than a few days are chained timers), then the send as an activity. The activity
/// reads the appointment again: cancelled, deleted or moved since → this instance ends (a move started its own); over
/// → nothing is sent. A provider outage waits for <c>Retry-After</c> and tries again until the appointment ends;
/// what goes out more than 5 minutes after it was due is marked late. Moving or cancelling the appointment also
/// terminates this instance, so a cancelled or moved appointment is never reminded.
/// The custom status lists each reminder with its due time and state (scheduled, retrying, sent, skipped, gave up, cancelled).
/// </summary>
public sealed class ReminderOrchestrator : TaskOrchestrator<ReminderInput, int>
{
    public const string Scheduled = "scheduled", Retrying = "retrying", Sent = "sent", Skipped = "skipped", GaveUp = "gave up", Cancelled = "cancelled", Stale = "stale";

    public override async Task<int> RunAsync(TaskOrchestrationContext context, ReminderInput input)
    {
        var reminders = input.Reminders.OrderBy(r => r.Due).Select(r => new ReminderStatus(r.OffsetMinutes, r.Due, Scheduled)).ToList();
        context.SetCustomStatus(reminders);
        var sent = 0;
        for (var i = 0; i < reminders.Count; i++)
        {
            var reminder = reminders[i];
            if (reminder.Due.UtcDateTime > context.CurrentUtcDateTime)
            {
                await context.CreateTimer(reminder.Due.UtcDateTime, CancellationToken.None);
            }
            for (var attempt = 0; ; attempt++)
            {
                var outcome = await context.CallActivityAsync<ReminderOutcome>(nameof(SendReminderActivity),
                    new ReminderSend(input.AccountId, input.AppointmentId, input.PlannedStartTicks, reminder.OffsetMinutes, reminder.Due, attempt), ActivityRetry.Transient);
                if (outcome.State == Stale)
                {
                    for (var j = i; j < reminders.Count; j++)
                    {
                        reminders[j] = reminders[j] with { State = Cancelled };
                    }
                    context.SetCustomStatus(reminders);
                    return sent;
                }
                if (outcome.State != AppointmentMessagesOrchestrator.UnavailableState)
                {
                    reminders[i] = reminder with { State = outcome.State };
                    sent += outcome.State == Sent ? 1 : 0;
                    break;
                }
                var next = context.CurrentUtcDateTime + (outcome.RetryAfter ?? ActivityRetry.ProviderBackoff(attempt));
                if (outcome.AppointmentEnd is { } end && next >= end.UtcDateTime)
                {
                    reminders[i] = reminder with { State = GaveUp };
                    break;
                }
                reminders[i] = reminder with { State = Retrying };
                context.SetCustomStatus(reminders);
                await context.CreateTimer(next, CancellationToken.None);
            }
            context.SetCustomStatus(reminders);
        }
        return sent;
    }
}
