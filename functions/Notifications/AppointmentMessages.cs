using Microsoft.Extensions.Options;
using Parley.Functions.Appointments;
using Parley.Functions.Durable;

namespace Parley.Functions.Notifications;

/// <summary>Settings of the customer-message workflow (section <c>Notifications</c>).</summary>
public sealed class NotificationWorkflowOptions
{
    public const string SectionName = "Notifications";

    /// <summary>How long a messages instance waits for its write's "written" event before it looks for itself.</summary>
    public TimeSpan HandOverWait { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// The app's side of the appointment-message workflow: the durable hand-over around every appointment write, and the
/// scheduled reminders as the appointment page shows them (from the reminder instance's custom status).
/// </summary>
public sealed class AppointmentMessages(Orchestrations orchestrations, IOptions<NotificationWorkflowOptions> options, ILogger<AppointmentMessages> logger)
{
    /// <summary>
    /// Starts the messages instance for the history entries from <paramref name="fromHistoryIndex"/> on, <i>before</i>
    /// the write: if the write fails the instance finds nothing to do; if the "written" event after it is lost, the
    /// instance still runs after <see cref="NotificationWorkflowOptions.HandOverWait"/>. Throws when storage is down,
    /// so nothing is written. Returns the instance id for <see cref="WrittenAsync"/>.
    /// </summary>
    public async Task<string> HandOverAsync(string accountId, string appointmentId, int fromHistoryIndex, CancellationToken ct)
    {
        var instanceId = $"messages-{accountId}-{appointmentId}-{Guid.NewGuid():N}";
        await orchestrations.StartAsync(nameof(AppointmentMessagesOrchestrator), instanceId,
            new AppointmentMessagesInput(accountId, appointmentId, fromHistoryIndex, options.Value.HandOverWait), ct);
        return instanceId;
    }

    /// <summary>Tells the instance its write is done, so the messages go out now (a failure here only delays them).</summary>
    public async Task WrittenAsync(string instanceId)
    {
        try
        {
            await orchestrations.RaiseEventAsync(instanceId, AppointmentMessagesOrchestrator.WrittenEvent, true);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not signal messages instance {InstanceId}; its messages go out after the hand-over wait", instanceId);
        }
    }

    /// <summary>The reminders planned for the appointment's current time, with their due times and states.</summary>
    public async Task<IReadOnlyList<ReminderStatus>> RemindersAsync(Appointment appointment)
    {
        var index = appointment.History.ToList().FindLastIndex(e => e.Action is "scheduled" or "rescheduled");
        if (index < 0 || appointment.Status == AppointmentStatus.Cancelled)
        {
            return [];
        }
        var view = await orchestrations.GetAsync(ReplanRemindersActivity.InstanceId(appointment.AccountId, appointment.Id, index));
        return view?.CustomStatus<List<ReminderStatus>>() ?? [];
    }
}
