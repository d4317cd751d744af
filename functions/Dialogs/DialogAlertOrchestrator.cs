using Microsoft.DurableTask;
using Parley.Functions.Durable;

namespace Parley.Functions.Dialogs;

/// <summary>What one alert's orchestration is given: the message to tell about, and how long to wait for its write.</summary>
public sealed record DialogAlertJob(DialogAlert Alert, TimeSpan HandOverWait);

/// <summary>The orchestration's custom status: where it stands, what woke it, and the channels still to do (never an address).</summary>
public sealed record DialogAlertProgress(string State, string? HandOver, int Attempt, string[] Pending);

/// <summary>
/// Tells the other side about one dialog message (instance <c>dialog-{account}-{dialog}-m{seq}</c>), read top to bottom:
/// <list type="number">
/// <item><b>Hand-over.</b> <see cref="DialogService"/> starts this instance <i>before</i> it writes the message and
/// raises <see cref="WrittenEvent"/> after the write. Whichever comes first — the event or a durable timer of
/// <see cref="DialogAlertJob.HandOverWait"/> (a minute) — the message is then looked for: a write that failed leaves
/// nothing to find and the orchestration ends; a writer that died before raising the event is covered by the timer.</item>
/// <item><b>Plan.</b> <see cref="PlanDialogAlertActivity"/> names the channels (<see cref="DialogAlerts"/>).</item>
/// <item><b>Fan-out.</b> One <see cref="SendDialogAlertActivity"/> per channel, at the same time. Channels whose
/// provider is unavailable are tried again after its <c>Retry-After</c> or <see cref="ActivityRetry.ProviderBackoff"/>, up to
/// <see cref="MaxAttempts"/> rounds (about 12 hours); then their messages are marked failed.</item>
/// </list>
/// Sends are idempotent (message ids "{dialog}|m{seq}|{channel}", call ids from dialog and message), so an activity
/// that runs twice sends nothing twice.
/// </summary>
public sealed class DialogAlertOrchestrator : TaskOrchestrator<DialogAlertJob, string>
{
    /// <summary>Raised by the writer once the message is stored.</summary>
    public const string WrittenEvent = "written";

    public const int MaxAttempts = ActivityRetry.ProviderAttempts;

    public static string InstanceId(string accountId, string dialogId, int seq) => $"dialog-{accountId}-{dialogId}-m{seq}";


    public override async Task<string> RunAsync(TaskOrchestrationContext context, DialogAlertJob job)
    {
        context.SetCustomStatus(new DialogAlertProgress("waiting for the write", null, 0, []));
        var handOver = await HandOverAsync(context, job.HandOverWait);

        var channels = await context.CallActivityAsync<AlertChannel[]>(nameof(PlanDialogAlertActivity), job.Alert, ActivityRetry.Transient);
        if (channels.Length == 0)
        {
            return Done(context, "nothing to send", handOver);
        }

        for (var attempt = 0; ; attempt++)
        {
            context.SetCustomStatus(new DialogAlertProgress("sending", handOver, attempt, Names(channels)));
            var outcomes = await Task.WhenAll(channels.Select(channel =>
                context.CallActivityAsync<SendOutcome>(nameof(SendDialogAlertActivity), new DialogAlertSend(job.Alert, channel, attempt), ActivityRetry.Transient)));
            var unavailable = outcomes.Where(o => o.Unavailable is not null).ToArray();
            if (unavailable.Length == 0)
            {
                return Done(context, "sent", handOver);
            }
            channels = unavailable.Select(o => o.Channel).ToArray();
            if (attempt + 1 >= MaxAttempts)
            {
                await Task.WhenAll(unavailable.Select(o => context.CallActivityAsync<bool>(nameof(GiveUpDialogAlertActivity),
                    new DialogAlertGiveUp(job.Alert, o.Channel, $"Gave up after {MaxAttempts} attempts: {o.Unavailable}."), ActivityRetry.Transient)));
                return Done(context, "gave up", handOver);
            }
            context.SetCustomStatus(new DialogAlertProgress("waiting to retry", handOver, attempt + 1, Names(channels)));
            await context.CreateTimer(unavailable.Max(o => o.RetryAfter) ?? ActivityRetry.ProviderBackoff(attempt), CancellationToken.None);
        }
    }

    /// <summary>Waits for the writer's event or the timer, whichever comes first; says which.</summary>
    private static async Task<string> HandOverAsync(TaskOrchestrationContext context, TimeSpan wait)
    {
        using var written = new CancellationTokenSource();
        var timer = context.CreateTimer(wait, written.Token);
        var @event = context.WaitForExternalEvent<bool>(WrittenEvent);
        if (await Task.WhenAny(@event, timer) == timer)
        {
            return "timer";
        }
        written.Cancel();
        return "event";
    }

    private static string Done(TaskOrchestrationContext context, string state, string handOver)
    {
        context.SetCustomStatus(new DialogAlertProgress(state, handOver, 0, []));
        return state;
    }

    private static string[] Names(AlertChannel[] channels) => channels.Select(c => c.ToString()).ToArray();
}
