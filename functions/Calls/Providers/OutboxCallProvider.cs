using Parley.Functions.Durable;
using Parley.Functions.Notifications.Providers;

namespace Parley.Functions.Calls.Providers;

/// <summary>
/// The local stand-in for phone calls: each attempt is written to the developer outbox with its script, and the line's
/// events are simulated by raising them on the call's orchestration — as the ACS callback endpoint does with real
/// ones. Numbers ending in <c>0000</c> do not answer (to try the retries); every other number answers, hears the
/// text, and is hung up on.
/// </summary>
public sealed class OutboxCallProvider(OutboxProvider outbox, Orchestrations orchestrations) : ICallProvider
{
    public const string NoAnswerSuffix = "0000";

    public string Name => "outbox";

    public async Task<string> PlaceAsync(CallOrder order, CancellationToken ct)
    {
        var connectionId = $"outbox-{order.CallId}-{order.Attempt}";
        var answers = !order.To.EndsWith(NoAnswerSuffix, StringComparison.Ordinal);
        await outbox.RecordCallAsync(order, answers ? "ringing" : "no answer", ct);
        await RaiseAsync(order, answers
            ? new CallLineEvent(order.Attempt, "CallConnected", connectionId)
            : new CallLineEvent(order.Attempt, "CreateCallFailed", connectionId, 408, 8523, "Call was not answered (simulated)."));
        return connectionId;
    }

    public async Task PlayAsync(CallOrder order, string connectionId, CancellationToken ct)
    {
        await outbox.SetCallStatusAsync(order, "played", ct);
        await RaiseAsync(order, new CallLineEvent(order.Attempt, "PlayCompleted", connectionId));
    }

    public async Task HangUpAsync(CallOrder order, string connectionId, CancellationToken ct)
    {
        await outbox.SetCallStatusAsync(order, "hung up", ct);
        await RaiseAsync(order, new CallLineEvent(order.Attempt, "CallDisconnected", connectionId));
    }

    private Task RaiseAsync(CallOrder order, CallLineEvent e) =>
        orchestrations.RaiseEventAsync(CallOrchestrator.InstanceId(order.AccountId, order.CallId), CallOrchestrator.LineEvent, e);
}
