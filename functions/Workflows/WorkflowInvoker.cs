namespace Parley.Functions.Workflows;

/// <summary>Finds the handler for a queue or timer and runs it in its own DI scope: the one path both triggers take.</summary>
public sealed class WorkflowInvoker(
    IServiceScopeFactory scopes,
    IEnumerable<QueueHandlerRegistration> queueHandlers,
    IEnumerable<TimerHandlerRegistration> timerHandlers)
{
    private readonly Dictionary<string, QueueHandlerRegistration> _queues = queueHandlers.ToDictionary(r => r.QueueName, StringComparer.Ordinal);
    private readonly Dictionary<string, TimerHandlerRegistration> _timers = timerHandlers.ToDictionary(r => r.FunctionName, StringComparer.Ordinal);

    public IReadOnlyCollection<QueueHandlerRegistration> Queues => _queues.Values;

    public IReadOnlyCollection<TimerHandlerRegistration> Timers => _timers.Values;

    public bool HasQueue(string name) => _queues.ContainsKey(name);

    public bool HasTimer(string name) => _timers.ContainsKey(name);

    public async Task HandleQueueMessageAsync(QueueWorkItem message, CancellationToken cancellationToken)
    {
        var registration = _queues[message.QueueName];
        await using var scope = scopes.CreateAsyncScope();
        var handler = (IQueueHandler)scope.ServiceProvider.GetRequiredService(registration.HandlerType);
        await handler.HandleAsync(message, cancellationToken);
    }

    public async Task RunTimerAsync(TimerInvocation invocation, CancellationToken cancellationToken)
    {
        var registration = _timers[invocation.FunctionName];
        await using var scope = scopes.CreateAsyncScope();
        var handler = (ITimerHandler)scope.ServiceProvider.GetRequiredService(registration.HandlerType);
        await handler.RunAsync(invocation, cancellationToken);
    }
}
