using Azure;
using Microsoft.AspNetCore.DataProtection;
using Parley.Functions.Calls.Providers;
using Parley.Functions.Common;
using Parley.Functions.Notifications.Providers;
using Parley.Functions.Storage;
using Parley.Functions.Workflows;

namespace Parley.Functions.Calls;

/// <summary>
/// A step of the call workflow: <c>place</c> an attempt, react to an <c>event</c> from the line (ACS callback or the
/// outbox's simulation), or <c>check</c> on an attempt that went quiet.
/// </summary>
public sealed record CallWork(string AccountId, string CallId, int Attempt, string Step, string? Event = null, string? ConnectionId = null,
    int? ResultCode = null, int? ResultSubCode = null, string? ResultMessage = null)
{
    public const string Place = "place", OnEvent = "event", Check = "check";
}

/// <summary>
/// The call workflow, read top to bottom:
/// <list type="number">
/// <item><b>place</b>: Queued/Retrying → Dialing (a fresh callback secret is saved first), then the provider rings.
/// A retry after a crash re-places with the same repeatability id, which ACS recognises.</item>
/// <item><b>CallConnected</b> → the text is played in the person's language → Connected.</item>
/// <item><b>PlayCompleted</b> → hang up → Completed.</item>
/// <item><b>CreateCallFailed</b> (no answer, busy), <b>CallDisconnected</b> before the text was played, <b>PlayFailed</b>,
/// an outage, or <b>check</b> finding the attempt still open after <see cref="QuietLimit"/> → the next attempt after
/// <see cref="Backoff"/> (3 attempts over 15 minutes), then Failed with the reason.</item>
/// </list>
/// Every step re-reads the call and acts only on its current attempt and state, so duplicate or late messages and
/// events do nothing; saves are ETag-guarded, so two steps racing make one of them run again on fresh state.
/// </summary>
public sealed class CallQueueHandler(CallStore store, ICallProvider provider, CallQueue queue, CallCallbacks callbacks, TimeProvider time, ILogger<CallQueueHandler> logger) : IQueueHandler
{
    public static string QueueName => "calls";
    public const int MaxAttempts = 3;
    public static readonly TimeSpan QuietLimit = TimeSpan.FromMinutes(3);

    /// <summary>Wait before attempt <paramref name="attempt"/> + 1: 5 minutes, then 10.</summary>
    public static TimeSpan Backoff(int attempt) => TimeSpan.FromMinutes(5 * (attempt + 1));

    public async Task HandleAsync(QueueWorkItem message, CancellationToken ct)
    {
        var work = message.ReadJson<CallWork>();
        var call = await store.GetAsync(work.AccountId, work.CallId, ct);
        if (call is null || call.IsFinished || call.Attempt != work.Attempt)
        {
            return; // finished, or a late message about an earlier attempt
        }
        switch (work.Step)
        {
            case CallWork.Place:
                await PlaceAsync(call, message.DequeueCount, ct);
                break;
            case CallWork.OnEvent:
                await OnEventAsync(call, work, ct);
                break;
            case CallWork.Check when call.Status is CallStatus.Dialing or CallStatus.Connected:
                await HangUpQuietlyAsync(call, call.ConnectionId, ct);
                await RetryOrFailAsync(call, $"no word from the line within {QuietLimit.TotalMinutes:0} minutes", ct);
                break;
        }
    }

    private async Task PlaceAsync(CallRecord call, long dequeueCount, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (call.Status is CallStatus.Queued or CallStatus.Retrying)
        {
            try
            {
                call = await store.SaveAsync(call with
                {
                    Status = CallStatus.Dialing, ProtectedSecret = callbacks.Protect(SecureTokens.NewSecret()), ConnectionId = null, AttemptStartedAt = now, UpdatedAt = now,
                }, ct);
            }
            catch (RequestFailedException ex) when (ex.IsConditionFailed())
            {
                return; // a duplicate message is placing this attempt
            }
        }
        else if (!(call.Status == CallStatus.Dialing && call.ConnectionId is null && dequeueCount > 1))
        {
            return; // this attempt is under way; only a crashed delivery of the place step may place it again
        }
        // The watchdog first, so an attempt never waits forever on events that do not come.
        await queue.EnqueueAsync(new CallWork(call.AccountId, call.Id, call.Attempt, CallWork.Check), QuietLimit, ct);
        string connectionId;
        try
        {
            connectionId = await provider.PlaceAsync(callbacks.OrderFor(call), ct);
        }
        catch (ProviderUnavailableException ex)
        {
            await RetryOrFailAsync(call, ex.Message, ct);
            return;
        }
        catch (CallRefusedException ex)
        {
            await FinishAsync(call, CallStatus.Failed, ex.Message, ct);
            return;
        }
        try
        {
            await store.SaveAsync(call with { ConnectionId = connectionId, UpdatedAt = time.GetUtcNow() }, ct);
        }
        catch (RequestFailedException ex) when (ex.IsConditionFailed())
        {
            // An event of this call was faster and recorded the connection itself.
        }
    }

    private async Task OnEventAsync(CallRecord call, CallWork work, CancellationToken ct)
    {
        var open = call.Status is CallStatus.Dialing or CallStatus.Connected;
        var connectionId = work.ConnectionId ?? call.ConnectionId;
        switch (work.Event)
        {
            case "CallConnected" when call.Status == CallStatus.Dialing:
                await provider.PlayAsync(callbacks.OrderFor(call), connectionId!, ct);
                await store.SaveAsync(call with { Status = CallStatus.Connected, ConnectionId = connectionId, UpdatedAt = time.GetUtcNow() }, ct);
                break;
            case "PlayCompleted" when open:
                await HangUpQuietlyAsync(call, connectionId, ct);
                await FinishAsync(call, CallStatus.Completed, null, ct);
                break;
            case "PlayFailed" when open:
                await HangUpQuietlyAsync(call, connectionId, ct);
                await RetryOrFailAsync(call, "the message could not be played" + Result(work), ct);
                break;
            case "CallDisconnected" when open:
                await RetryOrFailAsync(call, "hung up before the message was played", ct);
                break;
            case "CreateCallFailed" when call.Status == CallStatus.Dialing:
                await RetryOrFailAsync(call, Describe(work), ct);
                break;
            default:
                logger.LogDebug("Call {CallId}: {Event} in state {Status} changes nothing", call.Id, work.Event, call.Status);
                break;
        }
    }

    /// <summary>Puts the next attempt on the queue <i>before</i> saving, so a crash in between cannot strand the call.</summary>
    private async Task RetryOrFailAsync(CallRecord call, string reason, CancellationToken ct)
    {
        if (call.Attempt + 1 >= MaxAttempts)
        {
            logger.LogWarning("Call {CallId} not completed after {Attempts} attempts: {Reason}", call.Id, MaxAttempts, reason);
            await FinishAsync(call, CallStatus.Failed, $"Not reached after {MaxAttempts} attempts: {reason}.", ct);
            return;
        }
        await queue.EnqueueAsync(new CallWork(call.AccountId, call.Id, call.Attempt + 1, CallWork.Place), Backoff(call.Attempt), ct);
        await store.SaveAsync(call with
        {
            Status = CallStatus.Retrying, Attempt = call.Attempt + 1, Reason = reason, ConnectionId = null, ProtectedSecret = null, UpdatedAt = time.GetUtcNow(),
        }, ct);
    }

    private Task FinishAsync(CallRecord call, CallStatus status, string? reason, CancellationToken ct) =>
        store.SaveAsync(call with { Status = status, Reason = reason, UpdatedAt = time.GetUtcNow() }, ct);

    private async Task HangUpQuietlyAsync(CallRecord call, string? connectionId, CancellationToken ct)
    {
        if (connectionId is null)
        {
            return;
        }
        try
        {
            await provider.HangUpAsync(callbacks.OrderFor(call), connectionId, ct);
        }
        catch (Exception ex) when (ex is RequestFailedException or ProviderUnavailableException or HttpRequestException)
        {
            logger.LogInformation(ex, "Hanging up call {CallId} failed; the line may already be closed", call.Id);
        }
    }

    private static string Describe(CallWork work) => (work.ResultCode, work.ResultSubCode) switch
    {
        (408, _) or (487, _) => "no answer" + Result(work),
        (486, _) or (600, _) => "busy" + Result(work),
        (480, _) or (404, _) => "not reachable" + Result(work),
        _ => "the call could not be made" + Result(work),
    };

    private static string Result(CallWork work) => work.ResultCode is { } code ? $" ({code}{(work.ResultSubCode is { } sub ? "/" + sub : "")})" : "";
}

/// <summary>Puts call workflow steps on their queue.</summary>
public sealed class CallQueue(StorageAccount storage)
{
    public Task EnqueueAsync(CallWork work, TimeSpan? delay, CancellationToken ct) =>
        storage.GetQueueClient(CallQueueHandler.QueueName).SendJsonAsync(work, delay, cancellationToken: ct);
}

/// <summary>
/// The callback address ACS posts a call's events to: <c>/api/acs/calls/{account}/{call}/{attempt}/{secret}</c>, with a
/// fresh 256-bit secret per attempt, kept encrypted on the call (it must be re-sent unchanged when a crashed place step
/// is retried). Chosen over validating ACS's bearer token because it needs no fetch of Microsoft's signing keys, works
/// the same locally, and dies with the attempt.
/// </summary>
public sealed class CallCallbacks(IDataProtectionProvider protection, Hosting.PublicUrl publicUrl)
{
    private readonly IDataProtector _protector = protection.CreateProtector("Parley.Calls.CallbackSecret.v1");

    public string Protect(string secret) => _protector.Protect(secret);

    /// <summary>True when <paramref name="secret"/> is the one of the call's current attempt.</summary>
    public bool Matches(CallRecord call, int attempt, string secret)
    {
        if (call.Attempt != attempt || call.ProtectedSecret is null)
        {
            return false;
        }
        try
        {
            return SecureTokens.FixedTimeEquals(_protector.Unprotect(call.ProtectedSecret), secret);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }

    public CallOrder OrderFor(CallRecord call)
    {
        var secret = call.ProtectedSecret is null ? "" : _protector.Unprotect(call.ProtectedSecret);
        var callback = new Uri($"{publicUrl.Origin}/api/acs/calls/{Uri.EscapeDataString(call.AccountId)}/{Uri.EscapeDataString(call.Id)}/{call.Attempt}/{secret}");
        return new CallOrder(call.AccountId, call.Id, call.Attempt, call.To, call.CallerId, call.Language, call.Text, callback,
            AcsProvider.StableGuid($"call|{call.AccountId}|{call.Id}|{call.Attempt}"), call.AttemptStartedAt ?? call.CreatedAt,
            RecipientHidden: call.Purpose == CallService.CustomerOfDialogPurpose);
    }
}
