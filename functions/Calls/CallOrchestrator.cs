using Microsoft.DurableTask;
using Parley.Functions.Durable;

namespace Parley.Functions.Calls;

/// <summary>What one call's orchestration is given: the call, and the timing (<see cref="CallOptions"/>) when it started.</summary>
public sealed record CallJob(string AccountId, string CallId, TimeSpan QuietLimit, TimeSpan[] RetryDelays)
{
    public int MaxAttempts => RetryDelays.Length + 1;
}

/// <summary>
/// What the line said about attempt <see cref="Attempt"/>: an ACS callback (CallConnected, PlayCompleted,
/// CreateCallFailed, CallDisconnected, PlayFailed) or the outbox's simulation of one.
/// </summary>
public sealed record CallLineEvent(int Attempt, string Name, string? ConnectionId = null, int? ResultCode = null, int? ResultSubCode = null, string? ResultMessage = null);

/// <summary>The orchestration's custom status: the attempt and where it stands (never a number or the text).</summary>
public sealed record CallProgress(int Attempt, string State);

/// <summary>
/// One automated call as a durable orchestration (instance <c>call-{account}-{call}</c>), read top to bottom:
/// <list type="number">
/// <item>For attempt 0, 1, 2: <see cref="PlaceCallActivity"/> saves Dialing with a fresh callback secret, then the
/// provider rings (a re-run after a crash re-places with the same repeatability id, which ACS recognises).</item>
/// <item>The line's events arrive as the external event <see cref="LineEvent"/>, raced against a durable timer of
/// <see cref="CallJob.QuietLimit"/>: <b>CallConnected</b> → <see cref="PlayCallTextActivity"/> speaks the text in the
/// person's language → Connected, and the wait goes on; <b>PlayCompleted</b> → hang up → Completed.</item>
/// <item><b>CreateCallFailed</b> (no answer, busy), <b>CallDisconnected</b> before the text was played, <b>PlayFailed</b>,
/// silence until the timer, or a provider outage → hang up if the line is open, then the next attempt after
/// <see cref="CallJob.RetryDelays"/> (5, then 10 minutes), or Failed with the reason after the last one. A number the
/// provider refuses fails at once.</item>
/// </list>
/// The call record (<see cref="CallStore"/>) stays the one status the dashboard shows; only this orchestration's
/// activities write it, one at a time. Events carry their attempt: those of an earlier attempt are ignored.
/// </summary>
public sealed class CallOrchestrator : TaskOrchestrator<CallJob, CallStatus>
{
    /// <summary>The external event the line's events are raised as (payload <see cref="CallLineEvent"/>).</summary>
    public const string LineEvent = "line";

    public static string InstanceId(string accountId, string callId) => $"call-{accountId}-{callId}";

    public override async Task<CallStatus> RunAsync(TaskOrchestrationContext context, CallJob job)
    {
        var line = new Line(context);
        for (var attempt = 0; ; attempt++)
        {
            var call = new CallAttempt(job.AccountId, job.CallId, attempt);
            context.SetCustomStatus(new CallProgress(attempt, "dialing"));
            var placed = await context.CallActivityAsync<PlaceOutcome>(nameof(PlaceCallActivity), call, ActivityRetry.Transient);
            string? failure;
            switch (placed.Result)
            {
                case PlaceResult.Placed:
                    failure = await FollowAsync(context, line, job, call, placed.ConnectionId!);
                    break;
                case PlaceResult.Unavailable:
                    failure = placed.Reason;
                    break;
                case PlaceResult.Refused:
                    return await FinishAsync(context, call, CallStatus.Failed, placed.Reason);
                default:
                    context.SetCustomStatus(new CallProgress(attempt, "over"));
                    return CallStatus.Failed; // the call is gone or was finished before: nothing to do
            }
            if (failure is null)
            {
                return await FinishAsync(context, call, CallStatus.Completed, null);
            }
            if (attempt + 1 >= job.MaxAttempts)
            {
                return await FinishAsync(context, call, CallStatus.Failed, $"Not reached after {job.MaxAttempts} attempts: {failure}.");
            }
            await context.CallActivityAsync<bool>(nameof(SetCallStatusActivity), new CallStatusChange(call, CallStatus.Retrying, failure), ActivityRetry.Transient);
            context.SetCustomStatus(new CallProgress(attempt + 1, "retrying"));
            await context.CreateTimer(job.RetryDelays[attempt], CancellationToken.None);
        }
    }

    /// <summary>Follows a placed attempt until it is decided: null when the text was heard to the end, else why it failed.</summary>
    private static async Task<string?> FollowAsync(TaskOrchestrationContext context, Line line, CallJob job, CallAttempt call, string connectionId)
    {
        using var quiet = new CancellationTokenSource();
        var silence = context.CreateTimer(job.QuietLimit, quiet.Token);
        try
        {
            var connected = false;
            while (true)
            {
                if (await line.NextAsync(call.Attempt, silence) is not { } e)
                {
                    await HangUpAsync(context, call, connectionId);
                    return $"no word from the line within {Describe(job.QuietLimit)}";
                }
                connectionId = e.ConnectionId ?? connectionId;
                switch (e.Name)
                {
                    case "CallConnected" when !connected:
                        var played = await context.CallActivityAsync<PlayOutcome>(nameof(PlayCallTextActivity), new CallLine(call, connectionId), ActivityRetry.Transient);
                        if (played.Failure is not null)
                        {
                            await HangUpAsync(context, call, connectionId);
                            return played.Failure;
                        }
                        connected = true;
                        context.SetCustomStatus(new CallProgress(call.Attempt, "connected"));
                        break;
                    case "PlayCompleted":
                        await HangUpAsync(context, call, connectionId);
                        return null;
                    case "PlayFailed":
                        await HangUpAsync(context, call, connectionId);
                        return "the message could not be played" + Result(e);
                    case "CallDisconnected":
                        return "hung up before the message was played";
                    case "CreateCallFailed" when !connected:
                        return Describe(e);
                }
            }
        }
        finally
        {
            quiet.Cancel(); // the attempt is decided: its timer no longer counts
        }
    }

    private static Task HangUpAsync(TaskOrchestrationContext context, CallAttempt call, string connectionId) =>
        context.CallActivityAsync<bool>(nameof(HangUpCallActivity), new CallLine(call, connectionId), ActivityRetry.Transient);

    private static async Task<CallStatus> FinishAsync(TaskOrchestrationContext context, CallAttempt call, CallStatus status, string? reason)
    {
        await context.CallActivityAsync<bool>(nameof(SetCallStatusActivity), new CallStatusChange(call, status, reason), ActivityRetry.Transient);
        context.SetCustomStatus(new CallProgress(call.Attempt, status == CallStatus.Completed ? "completed" : "failed"));
        return status;
    }

    /// <summary>
    /// The line's events in order. There is one listener at a time, kept from one wait to the next and across
    /// attempts, so an event that arrives while an activity runs (ACS calls back before it answers the request that
    /// placed the call) is not missed; events of another attempt are skipped.
    /// </summary>
    private sealed class Line(TaskOrchestrationContext context)
    {
        private Task<CallLineEvent>? _next;

        /// <summary>The next event of <paramref name="attempt"/>, or null when <paramref name="deadline"/> comes first.</summary>
        public async Task<CallLineEvent?> NextAsync(int attempt, Task deadline)
        {
            while (true)
            {
                _next ??= context.WaitForExternalEvent<CallLineEvent>(LineEvent);
                if (await Task.WhenAny(_next, deadline) == deadline)
                {
                    return null;
                }
                var e = await _next;
                _next = null;
                if (e.Attempt == attempt)
                {
                    return e;
                }
            }
        }
    }

    private static string Describe(CallLineEvent e) => (e.ResultCode, e.ResultSubCode) switch
    {
        (408, _) or (487, _) => "no answer" + Result(e),
        (486, _) or (600, _) => "busy" + Result(e),
        (480, _) or (404, _) => "not reachable" + Result(e),
        _ => "the call could not be made" + Result(e),
    };

    private static string Result(CallLineEvent e) => e.ResultCode is { } code ? $" ({code}{(e.ResultSubCode is { } sub ? "/" + sub : "")})" : "";

    private static string Describe(TimeSpan quiet) =>
        quiet.TotalMinutes >= 1 && quiet.Seconds == 0 ? $"{quiet.TotalMinutes:0} minutes" : $"{quiet.TotalSeconds:0} seconds";
}
