using Azure;
using Microsoft.DurableTask;
using Parley.Functions.Calls.Providers;
using Parley.Functions.Common;
using Parley.Functions.Notifications.Providers;

namespace Parley.Functions.Calls;

/// <summary>The call and attempt an activity of <see cref="CallOrchestrator"/> acts on.</summary>
public sealed record CallAttempt(string AccountId, string CallId, int Attempt);

/// <summary>An attempt with its provider connection.</summary>
public sealed record CallLine(CallAttempt Call, string ConnectionId);

/// <summary>A status to record for an attempt (Retrying moves the record on to the next attempt).</summary>
public sealed record CallStatusChange(CallAttempt Call, CallStatus Status, string? Reason);

public enum PlaceResult
{
    /// <summary>The provider is ringing; events follow.</summary>
    Placed,
    /// <summary>The provider is down: the attempt failed (<see cref="PlaceOutcome.Reason"/>).</summary>
    Unavailable,
    /// <summary>The provider refused the number for good.</summary>
    Refused,
    /// <summary>The call is gone, finished, or on another attempt: a late re-run of this activity.</summary>
    Over,
}

public sealed record PlaceOutcome(PlaceResult Result, string? ConnectionId = null, string? Reason = null);

/// <summary>Null <see cref="Failure"/>: the text is being played.</summary>
public sealed record PlayOutcome(string? Failure);

/// <summary>
/// Places an attempt: Queued/Retrying → Dialing with a fresh callback secret (saved before the provider can call
/// back), then the provider rings. Run again for the same attempt (a crash before the orchestrator heard back), it
/// places again with the same secret and repeatability id, which ACS takes as the same call.
/// </summary>
public sealed class PlaceCallActivity(CallStore store, ICallProvider provider, CallCallbacks callbacks, TimeProvider time) : TaskActivity<CallAttempt, PlaceOutcome>
{
    public override async Task<PlaceOutcome> RunAsync(TaskActivityContext context, CallAttempt input)
    {
        var call = await store.GetAsync(input.AccountId, input.CallId, CancellationToken.None);
        if (call is null || call.IsFinished || call.Attempt != input.Attempt)
        {
            return new PlaceOutcome(PlaceResult.Over);
        }
        if (call.Status is CallStatus.Queued or CallStatus.Retrying)
        {
            var now = time.GetUtcNow();
            call = await store.SaveAsync(call with
            {
                Status = CallStatus.Dialing, ProtectedSecret = callbacks.Protect(SecureTokens.NewSecret()), ConnectionId = null, AttemptStartedAt = now, UpdatedAt = now,
            }, CancellationToken.None);
        }
        else if (call.Status != CallStatus.Dialing)
        {
            return new PlaceOutcome(PlaceResult.Over);
        }
        else if (call.ConnectionId is { } placed)
        {
            return new PlaceOutcome(PlaceResult.Placed, placed);
        }
        string connectionId;
        try
        {
            connectionId = await provider.PlaceAsync(callbacks.OrderFor(call), CancellationToken.None);
        }
        catch (ProviderUnavailableException ex)
        {
            return new PlaceOutcome(PlaceResult.Unavailable, Reason: ex.Message);
        }
        catch (CallRefusedException ex)
        {
            return new PlaceOutcome(PlaceResult.Refused, Reason: ex.Message);
        }
        await store.SaveAsync(call with { ConnectionId = connectionId, UpdatedAt = time.GetUtcNow() }, CancellationToken.None);
        return new PlaceOutcome(PlaceResult.Placed, connectionId);
    }
}

/// <summary>Speaks the call's text on the connected line, then records Connected. An outage or a refusal fails the attempt.</summary>
public sealed class PlayCallTextActivity(CallStore store, ICallProvider provider, CallCallbacks callbacks, TimeProvider time) : TaskActivity<CallLine, PlayOutcome>
{
    public override async Task<PlayOutcome> RunAsync(TaskActivityContext context, CallLine input)
    {
        var call = await store.GetAsync(input.Call.AccountId, input.Call.CallId, CancellationToken.None);
        if (call is null || call.Attempt != input.Call.Attempt || call.Status != CallStatus.Dialing)
        {
            return new PlayOutcome(null); // played before (a re-run), or the call moved on
        }
        try
        {
            await provider.PlayAsync(callbacks.OrderFor(call), input.ConnectionId, CancellationToken.None);
        }
        catch (Exception ex) when (ex is ProviderUnavailableException or CallRefusedException)
        {
            return new PlayOutcome(ex.Message);
        }
        await store.SaveAsync(call with { Status = CallStatus.Connected, ConnectionId = input.ConnectionId, UpdatedAt = time.GetUtcNow() }, CancellationToken.None);
        return new PlayOutcome(null);
    }
}

/// <summary>Ends the line; a line that is already closed, or a provider that cannot be reached, is only logged.</summary>
public sealed class HangUpCallActivity(CallStore store, ICallProvider provider, CallCallbacks callbacks, ILogger<HangUpCallActivity> logger) : TaskActivity<CallLine, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, CallLine input)
    {
        var call = await store.GetAsync(input.Call.AccountId, input.Call.CallId, CancellationToken.None);
        if (call is null || call.Attempt != input.Call.Attempt)
        {
            return false;
        }
        try
        {
            await provider.HangUpAsync(callbacks.OrderFor(call), input.ConnectionId, CancellationToken.None);
            return true;
        }
        catch (Exception ex) when (ex is RequestFailedException or ProviderUnavailableException or CallRefusedException or HttpRequestException)
        {
            logger.LogInformation(ex, "Hanging up call {CallId} failed; the line may already be closed", call.Id);
            return false;
        }
    }
}

/// <summary>
/// Records an attempt's outcome on the call: Retrying (the next attempt, its secret and connection cleared, so the
/// old callback address stops working), Completed or Failed with the reason. A re-run finds it done and does nothing.
/// </summary>
public sealed class SetCallStatusActivity(CallStore store, TimeProvider time, ILogger<SetCallStatusActivity> logger) : TaskActivity<CallStatusChange, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, CallStatusChange input)
    {
        var call = await store.GetAsync(input.Call.AccountId, input.Call.CallId, CancellationToken.None);
        if (call is null || call.IsFinished || call.Attempt != input.Call.Attempt)
        {
            return false;
        }
        var now = time.GetUtcNow();
        await store.SaveAsync(input.Status == CallStatus.Retrying
            ? call with { Status = CallStatus.Retrying, Attempt = call.Attempt + 1, Reason = input.Reason, ConnectionId = null, ProtectedSecret = null, UpdatedAt = now }
            : call with { Status = input.Status, Reason = input.Reason, UpdatedAt = now }, CancellationToken.None);
        if (input.Status == CallStatus.Failed)
        {
            logger.LogWarning("Call {CallId} failed after attempt {Attempt}: {Reason}", call.Id, call.Attempt + 1, input.Reason);
        }
        return true;
    }
}
