using Parley.Functions.Notifications.Providers;

namespace Parley.Functions.Calls.Providers;

/// <summary>
/// The local stand-in for phone calls: each attempt is written to the developer outbox with its script, and the line's
/// events are simulated through the calls queue — the same workflow steps real ACS callbacks feed. Numbers ending in
/// <c>0000</c> do not answer (to try the retries); every other number answers, hears the text, and is hung up on.
/// </summary>
public sealed class OutboxCallProvider(OutboxProvider outbox, CallQueue queue) : ICallProvider
{
    public const string NoAnswerSuffix = "0000";
    private static readonly TimeSpan Ring = TimeSpan.FromSeconds(1);

    public string Name => "outbox";

    public async Task<string> PlaceAsync(CallOrder order, CancellationToken ct)
    {
        var connectionId = $"outbox-{order.CallId}-{order.Attempt}";
        var answers = !order.To.EndsWith(NoAnswerSuffix, StringComparison.Ordinal);
        await outbox.RecordCallAsync(order, answers ? "ringing" : "no answer", ct);
        await queue.EnqueueAsync(answers
            ? Event(order, "CallConnected", connectionId)
            : Event(order, "CreateCallFailed", connectionId) with { ResultCode = 408, ResultSubCode = 8523, ResultMessage = "Call was not answered (simulated)." }, Ring, ct);
        return connectionId;
    }

    public async Task PlayAsync(CallOrder order, string connectionId, CancellationToken ct)
    {
        await outbox.SetCallStatusAsync(order, "played", ct);
        await queue.EnqueueAsync(Event(order, "PlayCompleted", connectionId), Ring, ct);
    }

    public async Task HangUpAsync(CallOrder order, string connectionId, CancellationToken ct)
    {
        await outbox.SetCallStatusAsync(order, "hung up", ct);
        await queue.EnqueueAsync(Event(order, "CallDisconnected", connectionId), null, ct);
    }

    private static CallWork Event(CallOrder order, string name, string connectionId) =>
        new(order.AccountId, order.CallId, order.Attempt, CallWork.OnEvent, name, connectionId);
}
