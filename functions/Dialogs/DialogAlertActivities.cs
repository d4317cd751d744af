using Microsoft.DurableTask;

namespace Parley.Functions.Dialogs;

/// <summary>One channel of an alert, in round <see cref="Attempt"/> of the orchestration.</summary>
public sealed record DialogAlertSend(DialogAlert Alert, AlertChannel Channel, int Attempt);

/// <summary>What a send did: <see cref="Unavailable"/> is the provider's outage (to retry, not before <see cref="RetryAfter"/>), null when done.</summary>
public sealed record SendOutcome(AlertChannel Channel, string? Unavailable, TimeSpan? RetryAfter);

public sealed record DialogAlertGiveUp(DialogAlert Alert, AlertChannel Channel, string Reason);

/// <summary>The channels to alert on; none when the message was not written (the hand-over of a failed write).</summary>
public sealed class PlanDialogAlertActivity(DialogAlerts alerts) : TaskActivity<DialogAlert, AlertChannel[]>
{
    public override async Task<AlertChannel[]> RunAsync(TaskActivityContext context, DialogAlert input) =>
        (await alerts.PlanAsync(input, CancellationToken.None)).ToArray();
}

/// <summary>Sends on one channel; a provider outage is returned for the orchestrator to retry later.</summary>
public sealed class SendDialogAlertActivity(DialogAlerts alerts, ILogger<SendDialogAlertActivity> logger) : TaskActivity<DialogAlertSend, SendOutcome>
{
    public override async Task<SendOutcome> RunAsync(TaskActivityContext context, DialogAlertSend input)
    {
        var unavailable = await alerts.SendAsync(input.Alert, input.Channel, CancellationToken.None);
        if (unavailable is not null)
        {
            logger.LogWarning("Provider unavailable for dialog {DialogId} message {Seq} ({Channel}, round {Attempt}): {Reason}",
                input.Alert.DialogId, input.Alert.Seq, input.Channel, input.Attempt + 1, unavailable.Message);
        }
        return new SendOutcome(input.Channel, unavailable?.Message, unavailable?.RetryAfter);
    }
}

/// <summary>Marks a channel's message failed after the last round (<see cref="Notifications.NotificationSender.FailAsync"/>).</summary>
public sealed class GiveUpDialogAlertActivity(DialogAlerts alerts, ILogger<GiveUpDialogAlertActivity> logger) : TaskActivity<DialogAlertGiveUp, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, DialogAlertGiveUp input)
    {
        logger.LogError("Giving up on dialog {DialogId} message {Seq} ({Channel}) after {Attempts} attempts", input.Alert.DialogId, input.Alert.Seq, input.Channel, DialogAlertOrchestrator.MaxAttempts);
        await alerts.GiveUpAsync(input.Alert, input.Channel, input.Reason, CancellationToken.None);
        return true;
    }
}
