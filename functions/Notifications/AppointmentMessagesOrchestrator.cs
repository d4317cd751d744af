using Microsoft.DurableTask;
using Parley.Functions.Durable;
using Parley.Functions.Notifications.Providers;

namespace Parley.Functions.Notifications;

/// <summary>Start of the messages of one appointment write: history entries from <see cref="FromIndex"/> on.</summary>
public sealed record AppointmentMessagesInput(string AccountId, string AppointmentId, int FromIndex, TimeSpan HandOverWait);

/// <summary>One history entry and what it means for the customer.</summary>
public sealed record PlannedEntry(int Index, MessageKind Kind, List<MessageChannel> Channels, bool StartsReminders, bool EndsReminders, bool AlertsOperators = false);

/// <summary>One message of one entry on one channel; <see cref="Attempt"/> counts provider outages.</summary>
public sealed record EntryMessage(string AccountId, string AppointmentId, int Index, MessageChannel Channel, int Attempt, string? FailReason = null);

/// <summary>What a send came to: done (sent, failed for good, or nothing to send), or the provider is unavailable for now.</summary>
public sealed record SendOutcome(bool Unavailable, TimeSpan? RetryAfter = null, string? Reason = null);

/// <summary>
/// The customer's messages of an appointment write, read top to bottom:
/// <list type="number">
/// <item><b>Hand-over.</b> The endpoint starts this instance <i>before</i> it writes the appointment and raises
/// <see cref="WrittenEvent"/> after the write. If the event never comes (the process died, the write failed) the
/// instance waits out <see cref="AppointmentMessagesInput.HandOverWait"/> (1 minute) instead: a lost hand-over makes
/// the messages a minute late, never lost; a failed write leaves nothing to send.</item>
/// <item><b>Plan.</b> Each new history entry becomes a message kind: scheduled → invitation, rescheduled → reschedule
/// notice, cancelled → cancellation, invitations resent → invitation; on the channels the entry asked for.</item>
/// <item><b>Reminders.</b> A move or a cancellation ends the reminder instances of the earlier times; a new time starts
/// the <see cref="ReminderOrchestrator"/> for it.</item>
/// <item><b>Operators</b> hear by e-mail of a booking, move or cancellation a booker made on a booking page.</item>
/// <item><b>Send</b>, each channel on its own: a provider outage waits for the provider's <c>Retry-After</c> (or 30 s,
/// 1 min, 2 min … up to 2 hours) and tries again, the message marked late; after <see cref="MaxAttempts"/> it is marked
/// failed. A send that keeps failing for another reason is marked failed after the activity's own retries.</item>
/// </list>
/// Sends are idempotent (message id = appointment + entry + channel), so an activity that runs twice sends once.
/// </summary>
public sealed class AppointmentMessagesOrchestrator : TaskOrchestrator<AppointmentMessagesInput, int>
{
    public const string WrittenEvent = "written";
    public const int MaxAttempts = ActivityRetry.ProviderAttempts;
    public const string UnavailableState = "unavailable";

    public override async Task<int> RunAsync(TaskOrchestrationContext context, AppointmentMessagesInput input)
    {
        using (var handOver = new CancellationTokenSource())
        {
            var written = context.WaitForExternalEvent<bool>(WrittenEvent, handOver.Token);
            var timer = context.CreateTimer(input.HandOverWait, handOver.Token);
            await Task.WhenAny(written, timer);
            handOver.Cancel();
        }

        var entries = await context.CallActivityAsync<List<PlannedEntry>>(nameof(PlanAppointmentMessagesActivity), input, ActivityRetry.Transient);
        foreach (var entry in entries)
        {
            if (entry.EndsReminders || entry.StartsReminders)
            {
                await context.CallActivityAsync(nameof(ReplanRemindersActivity), new EntryMessage(input.AccountId, input.AppointmentId, entry.Index, default, 0), ActivityRetry.Transient);
            }
            await Task.WhenAll(entry.Channels.Select(channel => DeliverAsync(context, new EntryMessage(input.AccountId, input.AppointmentId, entry.Index, channel, 0))));
            if (entry.AlertsOperators)
            {
                await context.CallActivityAsync<int>(nameof(Booking.BookingAlertActivity), new EntryMessage(input.AccountId, input.AppointmentId, entry.Index, MessageChannel.Email, 0), ActivityRetry.Transient);
            }
        }
        return entries.Count;
    }

    private static async Task DeliverAsync(TaskOrchestrationContext context, EntryMessage message)
    {
        for (var attempt = 0; ; attempt++)
        {
            SendOutcome outcome;
            try
            {
                outcome = await context.CallActivityAsync<SendOutcome>(nameof(SendAppointmentMessageActivity), message with { Attempt = attempt }, ActivityRetry.Transient);
            }
            catch (TaskFailedException)
            {
                await context.CallActivityAsync(nameof(FailAppointmentMessageActivity), message with { FailReason = "Could not be processed; an administrator was alerted." }, ActivityRetry.Transient);
                return;
            }
            if (!outcome.Unavailable)
            {
                return;
            }
            if (attempt + 1 >= MaxAttempts)
            {
                await context.CallActivityAsync(nameof(FailAppointmentMessageActivity),
                    message with { FailReason = $"The provider stayed unavailable; gave up after {MaxAttempts} attempts ({outcome.Reason})." }, ActivityRetry.Transient);
                return;
            }
            await context.CreateTimer(outcome.RetryAfter ?? ActivityRetry.ProviderBackoff(attempt), CancellationToken.None);
        }
    }
}
