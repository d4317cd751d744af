using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Parley.Functions.Durable;

namespace Parley.Functions.Calls;

/// <summary>What a feature asks for: call <see cref="To"/> and say <see cref="Text"/> in <see cref="Language"/>.</summary>
/// <param name="CallId">Chosen by the caller and stable for the same intent (e.g. "dlg-{dialog}-alert"), so asking twice is one call.</param>
/// <param name="Purpose">What the call is for, shown in the outbox (e.g. "dialog-alert").</param>
/// <param name="Reference">The thing the call belongs to (e.g. a dialog id).</param>
public sealed record CallRequest(string AccountId, string CallId, string Purpose, string? Reference, string To, string? CallerId, string Language, string Text);

/// <summary>Starts automated calls; the <see cref="CallOrchestrator"/> does the rest.</summary>
public sealed partial class CallService(CallStore store, Orchestrations orchestrations, IOptions<CallOptions> options, TimeProvider time)
{
    /// <summary>The purpose of calls to a dialog's customer, whose number nobody in the account may see.</summary>
    public const string CustomerOfDialogPurpose = "dialog-answer";

    /// <summary>
    /// Creates the call (Queued), then starts its orchestration. Idempotent: the same call id again returns the existing
    /// call, and an orchestration is started once per call.
    /// </summary>
    public async Task<CallRecord> StartAsync(CallRequest request, CancellationToken ct)
    {
        if (!SafeId().IsMatch(request.CallId))
        {
            throw new ArgumentException("Call ids are 1–100 letters, digits, '-' or '_'.", nameof(request));
        }
        var now = time.GetUtcNow();
        var (record, created) = await store.CreateOrGetAsync(new CallRecord(request.AccountId, request.CallId, request.Purpose, request.Reference, request.To,
            request.CallerId, request.Language, request.Text, CallStatus.Queued, 0, null, null, null, now, now, null), ct);
        if (created || record.Status == CallStatus.Queued)
        {
            // Also when found still queued: an earlier start may have died before the orchestration was started.
            var o = options.Value;
            await orchestrations.StartAsync(nameof(CallOrchestrator), CallOrchestrator.InstanceId(request.AccountId, request.CallId),
                new CallJob(request.AccountId, request.CallId, o.QuietLimit, o.Delays()), ct);
        }
        return record;
    }

    public Task<CallRecord?> GetAsync(string accountId, string callId, CancellationToken ct) => store.GetAsync(accountId, callId, ct);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,100}$")]
    private static partial Regex SafeId();
}
